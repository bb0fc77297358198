#include "line_keeper.hpp"

#include "fairness.hpp"

#include <admit/sdk/time_text.hpp>

#include <algorithm>
#include <chrono>
#include <thread>
#include <unordered_map>

namespace admit::queue {

namespace {

constexpr std::string_view control_columns =
    "schedule_id, phase, encode(seed, 'hex') AS seed, commitment, paused, rate_override, "
    "(extract(epoch FROM sale_starts_at) * 1000000)::bigint AS sale_starts_us, "
    "(extract(epoch FROM shuffled_at) * 1000000)::bigint AS shuffled_us, admit_fence";

std::string from_hex(const std::string& hex) {
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

Control control_of(const sdk::Row& row) {
    Control c;
    c.schedule_id = row.text("schedule_id");
    c.phase = row.text("phase");
    c.seed = from_hex(row.text("seed"));
    c.commitment = row.text("commitment");
    c.paused = row.text("paused") == "t";
    c.rate_override = row.int64("rate_override");
    c.sale_starts_us = row.int64("sale_starts_us");
    c.shuffled_us = row.int64("shuffled_us");
    c.admit_fence = row.int64("admit_fence").value_or(0);
    return c;
}

}  // namespace

std::vector<std::pair<std::string, int64_t>> line_order(const std::vector<LogRow>& rows,
                                                        const std::string& seed, bool shuffled) {
    std::vector<std::string> prequeue_ids;
    std::unordered_map<std::string, const LogRow*> by_join;
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& row : rows) {
        if (row.prequeue) {
            prequeue_ids.push_back(row.join_id);
            by_join[row.join_id] = &row;
        }
    }
    int64_t rank = 0;
    for (const auto& id : shuffled ? shuffled_order(seed, prequeue_ids) : prequeue_ids)
        out.emplace_back(by_join[id]->user_id, shuffled ? ++rank : 0);
    std::vector<const LogRow*> rest;
    for (const auto& row : rows)
        if (!row.prequeue) rest.push_back(&row);
    std::sort(rest.begin(), rest.end(), [](const LogRow* a, const LogRow* b) {
        return a->seq != b->seq ? a->seq < b->seq : a->user_id < b->user_id;
    });
    for (const auto* row : rest) out.emplace_back(row->user_id, std::max(row->seq, rank + 1));
    return out;
}

sdk::Result<std::optional<Control>> LineKeeper::load(const std::string& schedule_id) {
    auto rows = ctx_.host->db().exec(
        "SELECT " + std::string(control_columns) + " FROM queue.schedules WHERE schedule_id = $1",
        schedule_id);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<Control>{};
    return std::optional<Control>{control_of(rows->front())};
}

sdk::Result<std::optional<Control>> LineKeeper::recent(const std::string& schedule_id) {
    const auto now = std::chrono::steady_clock::now();
    const auto max_age = std::chrono::milliseconds(ctx_.settings.facts_cache_ms);
    {
        std::lock_guard lock(cache_mutex_);
        auto it = cache_.find(schedule_id);
        if (it != cache_.end() && now - it->second.read < max_age)
            return std::optional<Control>{it->second.control};
    }
    auto loaded = load(schedule_id);
    if (!loaded || !*loaded) return loaded;
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() > 10000) cache_.clear();  // many schedules: start over rather than grow
    cache_[schedule_id] = Cached{**loaded, now};
    return loaded;
}

sdk::Result<Control> LineKeeper::open(const ScheduleFacts& facts) {
    auto existing = recent(facts.schedule_id);
    if (!existing) return std::move(existing).error();
    if (*existing) return **existing;
    const std::string seed = new_seed();
    const bool before_sale = facts.sale_starts_us && *facts.sale_starts_us > ctx_.host->now_us();
    auto rows = ctx_.host->db().exec(
        "INSERT INTO queue.schedules (schedule_id, phase, seed, commitment, sale_starts_at) "
        "VALUES ($1, $2, decode($3, 'hex'), $4, "
        "timestamptz 'epoch' + $5::bigint * interval '1 microsecond') "
        "ON CONFLICT (schedule_id) DO NOTHING",
        facts.schedule_id, before_sale ? "PREQUEUE" : "OPEN",
        to_hex(reinterpret_cast<const unsigned char*>(seed.data()), seed.size()),
        commitment_of(seed), facts.sale_starts_us);
    if (!rows) return std::move(rows).error();
    auto created = load(facts.schedule_id);  // ours, or the one a racing host inserted
    if (!created) return std::move(created).error();
    if (!*created) return sdk::Error::internal("schedule row vanished after insert");
    return **created;
}

sdk::Status LineKeeper::ensure_line(const Control& control) {
    auto present = ctx_.redis->has_meta(control.schedule_id);
    if (!present) return std::move(present).error();
    if (*present) return {};
    const std::string lock = QueueRedis::key(control.schedule_id, "rebuild");
    auto taken = ctx_.redis->try_lock(lock, ctx_.owner, 60000);
    if (!taken) return std::move(taken).error();
    if (!*taken) {
        // Someone else is building it: a new schedule's (empty) line takes milliseconds, so
        // wait briefly before telling the caller to come back.
        for (int attempt = 0; attempt < 20; ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
            auto built = ctx_.redis->has_meta(control.schedule_id);
            if (built && *built) return {};
        }
        return sdk::Error::unavailable("the line is being rebuilt (recovering)");
    }
    // Checked again under the lock: a caller that saw no line just before another one finished
    // rebuilding it and released the lock must not rebuild it again. A second rebuild would
    // clear the line and drop every place joined since the first one read the log (pre-queue
    // places cannot be repaired one by one: they answered 404 until the shuffle).
    auto built = ctx_.redis->has_meta(control.schedule_id);
    if (!built || *built) {
        (void)ctx_.redis->unlock(lock, ctx_.owner);
        if (!built) return std::move(built).error();
        return {};
    }
    auto status = rebuild(control);
    (void)ctx_.redis->unlock(lock, ctx_.owner);
    return status;
}

sdk::Status LineKeeper::rebuild(const Control& stale_control) {
    // Re-read: the phase may have moved since the caller loaded it.
    auto fresh = load(stale_control.schedule_id);
    if (!fresh) return std::move(fresh).error();
    const Control control = fresh->value_or(stale_control);
    const std::string& sid = control.schedule_id;
    auto rows = ctx_.host->db().exec(
        "SELECT user_id, join_id, prequeue, seq, state, "
        "floor(extract(epoch FROM token_expires_at) * 1000)::bigint AS expiry_ms "
        "FROM queue.joins WHERE schedule_id = $1 AND (state = 'WAITING' OR "
        "(state = 'ADMITTED' AND token_expires_at > now()))",
        sid);
    if (!rows) return std::move(rows).error();
    std::vector<LogRow> waiting;
    std::vector<std::pair<std::string, int64_t>> active;
    int64_t max_seq = 0;
    for (const auto& row : *rows) {
        if (row.text("state") == "ADMITTED") {
            active.emplace_back(row.text("user_id"), row.int64("expiry_ms").value_or(0));
            continue;
        }
        LogRow log{row.text("user_id"), row.text("join_id"), row.text("prequeue") == "t",
                   row.int64("seq").value_or(0)};
        max_seq = std::max(max_seq, log.seq);
        waiting.push_back(std::move(log));
    }
    auto admitted = ctx_.host->db().exec(
        "SELECT count(*) AS n FROM queue.admissions WHERE schedule_id = $1", sid);
    if (!admitted) return std::move(admitted).error();
    const bool shuffled = control.phase != "PREQUEUE";
    auto order = line_order(waiting, control.seed, shuffled);
    for (const auto& [user, score] : order) max_seq = std::max(max_seq, score);
    if (control.phase == "SOLD_OUT") order.clear();
    ctx_.host->log(order.empty() && active.empty() ? ADMIT_LOG_INFO : ADMIT_LOG_WARN,
                   "queue: (re)building the line of " + sid +
                       " from the join log: " + std::to_string(order.size()) + " waiting, " +
                       std::to_string(active.size()) + " active");
    return ctx_.redis->rebuild(
        sid, order, active, ctx_.now_ms(),
        {{"phase", control.phase},
         {"seq", std::to_string(max_seq)},
         {"paused", control.paused ? "1" : "0"},
         {"admitted", std::to_string(admitted->front().int64("n").value_or(0))},
         {"rate", "0"},
         {"remaining", "-1"}});
}

}  // namespace admit::queue

#include "admission_tick.hpp"

#include "fairness.hpp"

#include <admit/sdk/time_text.hpp>

#include <unordered_set>

namespace admit::queue {

namespace {

constexpr std::string_view at_us = "timestamptz 'epoch' + $%d::bigint * interval '1 microsecond'";

std::string time_param(int index) {
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, at_us.data(), index);
    return buffer;
}

}  // namespace

sdk::Status AdmissionTick::run() {
    auto rows = ctx_.host->db().exec(
        "SELECT schedule_id FROM queue.schedules WHERE phase IN ('PREQUEUE', 'OPEN')");
    if (!rows) return std::move(rows).error();
    sdk::Status first_failure;
    for (const auto& row : *rows) {
        auto control = keeper_.load(row.text("schedule_id"));
        if (!control || !*control) continue;
        auto report = tick(**control);
        if (!report && first_failure) first_failure = std::move(report).error();
    }
    return first_failure;
}

sdk::Result<AdmissionTick::Inventory> AdmissionTick::inventory(const std::string& schedule_id,
                                                               int64_t ttl_s) {
    const int64_t now_us = ctx_.host->now_us();
    auto rows = ctx_.host->db().exec(
        "SELECT (SELECT coalesce(sum(units), 0) FROM queue.holds WHERE schedule_id = $1 AND "
        "expires_at > " +
            time_param(2) +
            ") AS held, "
            "(SELECT coalesce(sum(units), 0) FROM queue.holds WHERE schedule_id = $1 AND "
            "expires_at > " +
            time_param(2) + " AND expires_at <= " + time_param(3) +
            ") AS expiring, "
            "(SELECT coalesce(max(sold), 0) FROM queue.sales WHERE schedule_id = $1) AS sold, "
            "(SELECT count(*) FROM queue.admissions WHERE schedule_id = $1) AS admitted, "
            "(SELECT count(*) FROM queue.joins WHERE schedule_id = $1 AND converted) AS converted",
        schedule_id, now_us, now_us + ttl_s * 1000000);
    if (!rows) return std::move(rows).error();
    const auto& row = rows->front();
    return Inventory{row.int64("held").value_or(0), row.int64("expiring").value_or(0),
                     row.int64("sold").value_or(0), row.int64("admitted").value_or(0),
                     row.int64("converted").value_or(0)};
}

void AdmissionTick::publish(const std::string& schedule_id, boost::json::object update,
                            bool only_if_changed) {
    const std::string text = boost::json::serialize(update);
    {
        std::lock_guard guard(mutex_);
        auto& last = last_update_[schedule_id];
        if (only_if_changed && last == text) return;
        last = text;
    }
    if (auto s = relay_.post(schedule_id, std::move(update)); !s)
        ctx_.host->warn("queue: posting the stream summary of ", schedule_id, ": ", s.message());
}

sdk::Result<TickReport> AdmissionTick::tick(const Control& control) {
    const std::string& sid = control.schedule_id;
    TickReport report;
    report.phase = control.phase;
    if (auto ready = keeper_.ensure_line(control); !ready) {
        if (ready.error().status != ADMIT_E_UNAVAILABLE) return std::move(ready).error();
        report.skipped = true;  // another host is rebuilding it
        return report;
    }
    if (control.phase == "PREQUEUE") {
        if (!control.sale_starts_us || *control.sale_starts_us > ctx_.host->now_us()) {
            if (auto s = sweep(sid); !s) return std::move(s).error();
            report.skipped = true;
            return report;
        }
        if (auto s = shuffle(control); !s) return std::move(s).error();
        report.phase = "OPEN";
        publish(sid, {{"status", "OPEN"}, {"shuffled", true}});
    }
    const std::string lock = QueueRedis::key(sid, "lock");
    auto taken = ctx_.redis->try_lock(lock, ctx_.owner, ctx_.settings.lock_ttl_ms);
    if (!taken) return std::move(taken).error();
    if (!*taken) {
        report.skipped = true;
        return report;
    }
    auto release = [&] { (void)ctx_.redis->unlock(lock, ctx_.owner); };

    auto fenced = ctx_.host->db().exec(
        "UPDATE queue.schedules SET admit_fence = admit_fence + 1, updated_at = now() "
        "WHERE schedule_id = $1 RETURNING admit_fence, paused, rate_override",
        sid);
    if (!fenced || fenced->empty()) {
        release();
        if (!fenced) return std::move(fenced).error();
        return sdk::Error::not_found("schedule row vanished: " + sid);
    }
    const int64_t fence = fenced->front().int64("admit_fence").value_or(0);
    const bool paused = fenced->front().text("paused") == "t";
    const auto rate_override = fenced->front().int64("rate_override");

    int64_t ttl_s = 300;
    {
        std::lock_guard guard(mutex_);
        if (auto it = token_ttl_s_.find(sid); it != token_ttl_s_.end()) ttl_s = it->second;
    }
    auto active = ctx_.redis->active_count(sid, ctx_.now_ms());
    auto waiting = ctx_.redis->waiting_count(sid);
    auto stock = inventory(sid, ttl_s);
    if (!active || !waiting || !stock) {
        release();
        if (!active) return std::move(active).error();
        if (!waiting) return std::move(waiting).error();
        return std::move(stock).error();
    }
    AdmissionInput input;
    input.waiting = *waiting;
    input.active = *active;
    input.held = stock->held;
    input.expiring_soon = stock->expiring_soon;
    input.rate_override = rate_override;
    if (stock->admitted >= 20)
        input.conversion =
            static_cast<double>(stock->converted) / static_cast<double>(stock->admitted);
    if (auto facts = ctx_.facts->get(sid); facts)
        input.seats_free = std::max<int64_t>(0, (*facts)->capacity - stock->held - stock->sold);
    auto decided = ctx_.host->policy("admission", policy_input(sid, input));
    if (!decided)
        ctx_.host->warn("queue: admission policy failed for ", sid, ": ", decided.error().message);
    const AdmissionDecision decision =
        read_decision(decided ? decided->decision : boost::json::value{}, input);
    {
        std::lock_guard guard(mutex_);
        token_ttl_s_[sid] = decision.token_ttl_seconds;
    }
    report.waiting = *waiting;
    report.active = *active;
    report.seats_free = input.seats_free;
    (void)ctx_.redis->set_meta(sid, {{"rate", std::to_string(decision.admit_per_second)},
                                     {"remaining", std::to_string(input.seats_free.value_or(-1))}});

    if (decision.sold_out) {
        auto closed = close_sold_out(sid);
        release();
        if (!closed) return std::move(closed).error();
        report.sold_out = true;
        report.phase = "SOLD_OUT";
        return report;
    }
    if (paused) {
        if (auto s = sweep(sid); !s)
            ctx_.host->warn("queue: stale sweep of ", sid, ": ", s.message());
        release();
        report.skipped = true;
        publish(sid, {{"status", "PAUSED"}, {"waiting", *waiting}}, true);
        return report;
    }
    std::vector<std::string> admitted_ids;
    if (decision.admit_now > 0) {
        auto candidates = ctx_.redis->head(sid, decision.admit_now);
        if (!candidates) {
            release();
            return std::move(candidates).error();
        }
        auto admitted = admit_batch(sid, fence, *candidates, decision.token_ttl_seconds);
        if (!admitted) {
            release();
            if (admitted.error().is_conflict()) {  // fenced out by a newer tick, or paused
                report.skipped = true;
                return report;
            }
            return std::move(admitted).error();
        }
        admitted_ids = std::move(*admitted);
        report.admitted = static_cast<int64_t>(admitted_ids.size());
    }
    if (auto s = sweep(sid); !s) ctx_.host->warn("queue: stale sweep of ", sid, ": ", s.message());
    release();
    boost::json::array join_ids;
    for (const auto& user : admitted_ids) join_ids.emplace_back(join_id_for(ctx_.key, sid, user));
    auto still_waiting = ctx_.redis->waiting_count(sid);
    report.waiting = still_waiting ? *still_waiting : report.waiting;
    auto admitted_total = ctx_.redis->admitted_total(sid);
    publish(sid,
            {{"status", "OPEN"},
             {"admitted", std::move(join_ids)},
             {"admittedTotal", admitted_total ? *admitted_total : 0},
             {"waiting", report.waiting},
             {"admitPerSecond", decision.admit_per_second},
             {"seatsRemaining", input.seats_free ? boost::json::value(*input.seats_free)
                                                 : boost::json::value(nullptr)}},
            true);
    return report;
}

sdk::Result<std::vector<std::string>> AdmissionTick::admit_batch(
    const std::string& sid, int64_t fence, const std::vector<std::string>& candidates,
    int64_t ttl_s) {
    boost::json::array users;
    for (const auto& user : candidates) users.emplace_back(user);
    const std::string users_json = boost::json::serialize(users);
    const int64_t now_us = ctx_.host->now_us();
    const int64_t expires_us = now_us + ttl_s * 1000000;
    std::vector<std::string> admitted;
    std::vector<std::pair<std::string, int64_t>> to_active;
    std::vector<std::string> gone;
    auto written = ctx_.host->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        admitted.clear();
        to_active.clear();
        gone.clear();
        // The row lock orders this batch with a pause (an UPDATE of the same row): a pause that
        // committed after this tick read its flag still stops the batch here.
        auto current = tx.exec(
            "SELECT admit_fence, paused FROM queue.schedules WHERE schedule_id = $1 FOR UPDATE",
            sid);
        if (!current) return std::move(current).error();
        if (current->empty() || current->front().int64("admit_fence").value_or(-1) != fence)
            return sdk::Error::conflict("fencing token " + std::to_string(fence) + " is stale");
        if (current->front().text("paused") == "t")
            return sdk::Error::conflict("the line of " + sid + " was paused");
        auto rows = tx.exec(
            "WITH up AS (UPDATE queue.joins SET state = 'ADMITTED', admitted_at = " +
                time_param(3) + ", admit_fence = $4, token_expires_at = " + time_param(5) +
                ", updated_at = now() WHERE schedule_id = $1 AND state = 'WAITING' AND user_id IN "
                "(SELECT jsonb_array_elements_text($2::jsonb)) "
                "RETURNING schedule_id, user_id, join_id, round), "
                "ins AS (INSERT INTO queue.admissions (schedule_id, user_id, round, join_id, "
                "admit_fence, admitted_at, token_expires_at) SELECT schedule_id, user_id, round, "
                "join_id, $4, " +
                time_param(3) + ", " + time_param(5) +
                " FROM up RETURNING user_id) "
                "SELECT up.user_id, up.join_id FROM up JOIN ins USING (user_id)",
            sid, users_json, now_us, fence, expires_us);
        if (!rows) return std::move(rows).error();
        std::unordered_set<std::string> fresh;
        for (const auto& row : *rows) {
            const std::string user = row.text("user_id");
            fresh.insert(user);
            admitted.push_back(user);
            to_active.emplace_back(user, expires_us / 1000);
            if (auto s = tx.publish("queue.admitted", sid,
                                    {{"scheduleId", sid},
                                     {"userId", user},
                                     {"joinId", row.text("join_id")},
                                     {"fence", fence},
                                     {"tokenExpiresAt", sdk::format_rfc3339(expires_us)}},
                                    "system");
                !s)
                return s;
        }
        if (!admitted.empty()) {
            auto total = tx.exec(
                "UPDATE queue.schedules SET admitted_total = admitted_total + $2 WHERE "
                "schedule_id = $1",
                sid, static_cast<int64_t>(admitted.size()));
            if (!total) return std::move(total).error();
        }
        // Reconcile the rest of the head with the log: a place the log already admitted (a tick
        // that died between its commit and Redis) goes to the active set; one that left or
        // expired leaves the line; one not in the log yet (its join is being written) stays.
        auto others = tx.exec(
            "SELECT user_id, state, floor(extract(epoch FROM token_expires_at) * 1000)::bigint AS "
            "expiry_ms FROM queue.joins WHERE schedule_id = $1 AND user_id IN "
            "(SELECT jsonb_array_elements_text($2::jsonb)) AND state <> 'WAITING'",
            sid, users_json);
        if (!others) return std::move(others).error();
        for (const auto& row : *others) {
            const std::string user = row.text("user_id");
            if (fresh.count(user)) continue;
            const int64_t expiry = row.int64("expiry_ms").value_or(0);
            if (row.text("state") == "ADMITTED" && expiry > now_us / 1000)
                to_active.emplace_back(user, expiry);
            else
                gone.push_back(user);
        }
        return {};
    });
    if (!written) return std::move(written).error();
    if (auto moved = ctx_.redis->admit(sid, to_active, gone); !moved)
        ctx_.host->warn("queue: moving an admitted batch of ", sid,
                        " in redis failed (the next tick repairs it): ", moved.error().message);
    return admitted;
}

sdk::Status AdmissionTick::shuffle(const Control& control) {
    const std::string& sid = control.schedule_id;
    auto members = ctx_.redis->close_prequeue(sid);
    if (!members) return std::move(members).error();
    std::unordered_map<std::string, std::string> user_of;
    std::vector<std::string> join_ids;
    for (const auto& user : *members) {
        auto id = join_id_for(ctx_.key, sid, user);
        user_of[id] = user;
        join_ids.push_back(std::move(id));
    }
    std::vector<std::pair<std::string, int64_t>> scores;
    int64_t rank = 0;
    for (const auto& id : shuffled_order(control.seed, std::move(join_ids)))
        scores.emplace_back(user_of[id], ++rank);
    if (auto s = ctx_.redis->set_scores(sid, scores); !s) return s;
    auto opened = ctx_.host->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE queue.schedules SET phase = 'OPEN', shuffled_at = " + time_param(2) +
                ", updated_at = now() WHERE schedule_id = $1 AND phase = 'PREQUEUE' RETURNING "
                "commitment, encode(seed, 'hex') AS seed",
            sid, ctx_.host->now_us());
        if (!rows) return std::move(rows).error();
        if (rows->empty()) return {};
        return tx.publish("queue.shuffled", sid,
                          {{"scheduleId", sid},
                           {"commitment", rows->front().text("commitment")},
                           {"seed", rows->front().text("seed")},
                           {"prequeued", static_cast<int64_t>(scores.size())}},
                          "system");
    });
    if (!opened) return opened;
    ctx_.host->info("queue: ", sid, " opened; pre-queue of ", scores.size(), " shuffled");
    return {};
}

sdk::Status AdmissionTick::close_sold_out(const std::string& sid) {
    auto closed = ctx_.host->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto moved = tx.exec(
            "UPDATE queue.schedules SET phase = 'SOLD_OUT', updated_at = now() WHERE schedule_id "
            "= $1 AND phase <> 'SOLD_OUT' RETURNING schedule_id",
            sid);
        if (!moved) return std::move(moved).error();
        if (moved->empty()) return {};
        auto told = tx.exec(
            "WITH t AS (UPDATE queue.joins SET state = 'SOLD_OUT', updated_at = now() WHERE "
            "schedule_id = $1 AND state = 'WAITING' RETURNING 1) SELECT count(*) AS n FROM t",
            sid);
        if (!told) return std::move(told).error();
        return tx.publish("queue.sold_out", sid,
                          {{"scheduleId", sid}, {"told", told->front().int64("n").value_or(0)}},
                          "system");
    });
    if (!closed) return closed;
    if (auto s = ctx_.redis->set_meta(sid, {{"phase", "SOLD_OUT"}, {"remaining", "0"}}); !s)
        return s;
    if (auto s = ctx_.redis->clear_line(sid); !s) return s;
    publish(sid, {{"status", "SOLD_OUT"}, {"seatsRemaining", 0}});
    ctx_.host->info("queue: ", sid, " sold out; the line is closed");
    return {};
}

sdk::Status AdmissionTick::sweep(const std::string& sid) {
    const int64_t now = ctx_.now_ms();
    {
        std::lock_guard guard(mutex_);
        auto& last = last_sweep_ms_[sid];
        if (now - last < ctx_.settings.sweep_interval_ms) return {};
        last = now;
    }
    auto stale = ctx_.redis->expire_stale(sid, now - ctx_.settings.grace_ms, 5000);
    if (!stale) return std::move(stale).error();
    if (stale->empty()) return {};
    boost::json::array users;
    for (const auto& user : *stale) users.emplace_back(user);
    return ctx_.host->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE queue.joins SET state = 'EXPIRED', updated_at = now() WHERE schedule_id = $1 "
            "AND state = 'WAITING' AND user_id IN (SELECT jsonb_array_elements_text($2::jsonb)) "
            "RETURNING user_id, join_id",
            sid, boost::json::serialize(users));
        if (!rows) return std::move(rows).error();
        for (const auto& row : *rows) {
            if (auto s = tx.publish("queue.expired", sid,
                                    {{"scheduleId", sid},
                                     {"userId", row.text("user_id")},
                                     {"joinId", row.text("join_id")},
                                     {"reason", "unseen past the grace window"}},
                                    "system");
                !s)
                return s;
        }
        return {};
    });
}

}  // namespace admit::queue

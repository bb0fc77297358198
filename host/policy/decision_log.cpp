#include "host/policy/decision_log.hpp"

#include "host/observe/logging.hpp"
#include "host/store/row_sinks.hpp"
#include "host/store/sql_exec.hpp"

#include <spdlog/spdlog.h>

#include <ctime>

namespace admit::policy {
namespace {

using Params = std::vector<std::optional<std::string>>;

std::string rfc3339_micros(std::chrono::system_clock::time_point at) {
    using namespace std::chrono;
    const auto micros = duration_cast<microseconds>(at.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(micros / 1'000'000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(micros % 1'000'000));
    return buf;
}

void append_string(std::string& out, std::string_view key, std::string_view value) {
    out += '"';
    out += key;
    out += "\":\"";
    observe::append_json_escaped(out, value);
    out += "\",";
}

}  // namespace

DecisionLog::DecisionLog(store::PgPool& pool, DecisionLogOptions options)
    : pool_(pool), options_(std::move(options)) {}

DecisionLog::~DecisionLog() { stop(); }

void DecisionLog::offer(std::string_view policy, std::string_view input_json,
                        const Decision& decision) noexcept {
    try {
        const auto now = std::chrono::system_clock::now();
        const std::string_view trace_id = observe::log_field("trace_id");
        std::lock_guard lock(mutex_);
        if (!decision.always_record) {
            const auto second =
                std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
            auto window = windows_.find(policy);
            if (window == windows_.end())
                window = windows_.emplace(std::string(policy), Window{}).first;
            if (window->second.second != second) window->second = Window{second, 0};
            if (window->second.taken >= options_.sample_per_second) return;
            ++window->second.taken;
        }
        if (queue_.size() >= options_.queue_limit) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        queue_.push_back(Pending{std::string(policy), decision.revision, std::string(input_json),
                                 decision.json, std::string(trace_id), decision.scope,
                                 decision.fallback_used, now});
        // A full batch wakes the writer at once (one wake per batch): under a burst the queue
        // drains as fast as PostgreSQL takes it instead of once per flush interval.
        if (queue_.size() == options_.batch) wake_.notify_one();
    } catch (...) {
        dropped_.fetch_add(1, std::memory_order_relaxed);  // out of memory: never fail the call
    }
}

Status DecisionLog::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable()) return {};
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
    return {};
}

void DecisionLog::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (auto s = flush(); !s)
        spdlog::warn("decision log: final flush failed: {}", s.error().message);
}

void DecisionLog::run() {
    auto next_purge = std::chrono::steady_clock::now();
    while (true) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, options_.flush_interval,
                           [this] { return stopping_ || queue_.size() >= options_.batch; });
            if (stopping_) break;
        }
        if (auto s = flush(); !s) spdlog::warn("decision log: {}", s.error().message);
        if (std::chrono::steady_clock::now() >= next_purge) {
            next_purge = std::chrono::steady_clock::now() + std::chrono::minutes(1);
            if (auto purged = purge_expired(); !purged) {
                spdlog::warn("decision log retention: {}", purged.error().message);
            }
        }
    }
}

Status DecisionLog::flush() {
    static const std::string sql =
        "INSERT INTO admit.policy_decisions (policy, revision, input, output, fallback, "
        "trace_id, scope, host, decided_at) SELECT x.policy, x.revision, x.input, x.output, "
        "x.fallback, x.trace_id, x.scope, $2, x.decided_at FROM jsonb_to_recordset($1::jsonb) AS "
        "x(policy text, revision text, input jsonb, output jsonb, fallback boolean, trace_id "
        "text, scope text, decided_at timestamptz)";
    std::lock_guard writer(flush_mutex_);
    std::vector<Pending> taken;
    {
        std::lock_guard lock(mutex_);
        taken.swap(queue_);
    }
    for (std::size_t from = 0; from < taken.size(); from += options_.batch) {
        const std::size_t to = std::min(taken.size(), from + options_.batch);
        std::string rows = "[";
        for (std::size_t i = from; i < to; ++i) {
            const Pending& p = taken[i];
            rows += '{';
            append_string(rows, "policy", p.policy);
            append_string(rows, "revision", p.revision);
            append_string(rows, "trace_id", p.trace_id);
            append_string(rows, "scope", p.scope);
            append_string(rows, "decided_at", rfc3339_micros(p.at));
            rows += "\"fallback\":";
            rows += p.fallback ? "true" : "false";
            rows += ",\"input\":";
            rows += p.input;  // valid JSON: the engine parsed it before deciding
            rows += ",\"output\":";
            rows += p.output;
            rows += i + 1 < to ? "}," : "}";
        }
        rows += ']';
        const Params params{std::move(rows), options_.host_id};
        auto done = store::execute(pool_, sql, params, nullptr);
        if (!done) {
            dropped_.fetch_add(to - from, std::memory_order_relaxed);
            return Error{done.error().code, "could not record " + std::to_string(to - from) +
                                                " decisions: " + done.error().message};
        }
        recorded_.fetch_add(to - from, std::memory_order_relaxed);
    }
    return {};
}

Result<std::uint64_t> DecisionLog::purge_expired() {
    static const std::string sql =
        "DELETE FROM admit.policy_decisions WHERE decided_at < now() - make_interval(hours => "
        "$1::int)";
    const Params params{std::to_string(options_.retention.count())};
    auto done = store::execute(pool_, sql, params, nullptr);
    if (!done) return done.error();
    return done->affected_rows;
}

Result<std::vector<RecordedDecision>> DecisionLog::recent(const std::string& policy,
                                                          std::size_t limit,
                                                          std::optional<std::chrono::seconds> since,
                                                          std::optional<std::string> scope) {
    static const std::string sql =
        "SELECT id, policy, revision, input::text, output::text, fallback, trace_id, "
        "to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), scope "
        "FROM admit.policy_decisions WHERE policy = $1 "
        "AND ($3::bigint IS NULL OR decided_at >= now() - make_interval(secs => $3::bigint)) "
        "AND ($4::text IS NULL OR scope = $4::text) ORDER BY id DESC LIMIT $2";
    const Params params{
        policy, std::to_string(limit),
        since ? std::optional<std::string>(std::to_string(since->count())) : std::nullopt,
        std::move(scope)};
    store::CollectingRowSink rows;
    auto done = store::execute(pool_, sql, params, &rows);
    if (!done) return done.error();
    std::vector<RecordedDecision> out;
    out.reserve(rows.rows.size());
    for (const auto& row : rows.rows) {
        auto text = [&](std::size_t i) { return row.at(i).value_or(""); };
        out.push_back(RecordedDecision{std::stoll(text(0)), text(1), text(2), text(3), text(4),
                                       text(5) == "t", text(6), text(7), text(8)});
    }
    return out;
}

}  // namespace admit::policy

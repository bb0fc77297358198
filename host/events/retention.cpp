#include "host/events/retention.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "host/store/pg_transaction.hpp"

namespace admit::events {

namespace {

constexpr const char* kRetentionLock =
    "SELECT pg_try_advisory_xact_lock(hashtext('admit.event_retention'))";
// $1 = age in seconds, $2 = batch size. Each uses an index on its time column (migration v2).
constexpr const char* kDeleteOutbox =
    "DELETE FROM admit.event_outbox WHERE id IN (SELECT id FROM admit.event_outbox "
    "WHERE relayed_at < now() - $1::bigint * interval '1 second' LIMIT $2)";
constexpr const char* kDeleteHandled =
    "DELETE FROM admit.event_handled WHERE (subscriber, event_id) IN ("
    "SELECT subscriber, event_id FROM admit.event_handled "
    "WHERE handled_at < now() - $1::bigint * interval '1 second' LIMIT $2)";
constexpr const char* kDeleteDeadLetters =
    "DELETE FROM admit.event_dead_letters WHERE id IN (SELECT id FROM admit.event_dead_letters "
    "WHERE replayed_at < now() - $1::bigint * interval '1 second' LIMIT $2)";

}  // namespace

Result<RetentionSweep> sweep_expired(store::PgPool& pool, const EventOptions& options) {
    RetentionSweep sweep;
    const std::size_t batch = std::max<std::size_t>(1, options.retention_batch);
    const Status status = store::run_transaction(pool, [&](pqxx::work& tx) -> Status {
        sweep = RetentionSweep{};
        if (!tx.exec(kRetentionLock)[0][0].as<bool>()) {
            sweep.locked = false;
            return {};
        }
        auto remove = [&](const char* sql, std::chrono::seconds age) {
            return static_cast<std::size_t>(
                tx.exec_params(sql, static_cast<std::int64_t>(age.count()), batch).affected_rows());
        };
        sweep.outbox = remove(kDeleteOutbox, options.retention_outbox);
        sweep.handled = remove(kDeleteHandled, options.retention_handled);
        sweep.dead_letters = remove(kDeleteDeadLetters, options.retention_dead_letters);
        return {};
    });
    if (!status) return status.error();
    return sweep;
}

Retention::Retention(store::PgPool& pool, const EventOptions& options, EventCounters& counters)
    : pool_(pool), options_(options), counters_(counters) {}

void Retention::step(std::chrono::steady_clock::time_point now) {
    if (now < next_due_) return;
    next_due_ = now + options_.retention_interval;
    const auto sweep = sweep_expired(pool_, options_);
    if (!sweep) {
        spdlog::warn("events: retention sweep failed, next in {} ms: {}: {}",
                     options_.retention_interval.count(), sweep.error().code,
                     sweep.error().message);
        return;
    }
    counters_.cleaned += sweep->outbox + sweep->handled + sweep->dead_letters;
    const std::size_t batch = std::max<std::size_t>(1, options_.retention_batch);
    if (sweep->outbox >= batch || sweep->handled >= batch || sweep->dead_letters >= batch) {
        next_due_ = now;  // more expired rows: go on after the next relay pass
    }
}

}  // namespace admit::events

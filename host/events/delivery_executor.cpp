#include "host/events/delivery_executor.hpp"

#include <exception>
#include <unordered_set>
#include <utility>

#include <spdlog/spdlog.h>

#include "host/events/event_sql.hpp"
#include "host/store/pg_transaction.hpp"
#include "host/store/sql_exec.hpp"

namespace admit::events {

namespace {

// The executor's statements, built at their first use (no work in a static initializer) and
// then shared: exec_prepared takes them by reference, so no call builds a string.
struct Statements {
    std::string insert_handled =
        "INSERT INTO admit.event_handled (subscriber, event_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING";
    std::string key_queued =
        "SELECT 1 FROM admit.event_deliveries WHERE subscriber = $1 AND key = $2 LIMIT 1";
    // Records the event as handled and removes its queue row, in one statement.
    std::string insert_handled_delete_queued =
        "WITH done AS (DELETE FROM admit.event_deliveries WHERE seq = $3) "
        "INSERT INTO admit.event_handled (subscriber, event_id) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING";
    // Records a batch as handled (returning only the ids new to event_handled) and removes its
    // queue rows, in one statement.
    std::string insert_handled_batch =
        "WITH done AS (DELETE FROM admit.event_deliveries WHERE seq = ANY($3::bigint[])) "
        "INSERT INTO admit.event_handled (subscriber, event_id) SELECT $1, unnest($2::bigint[]) "
        "ON CONFLICT DO NOTHING RETURNING event_id";
    std::string keys_queued =
        "SELECT 1 FROM admit.event_deliveries WHERE subscriber = $1 AND key = ANY($2::text[]) "
        "LIMIT 1";
};
const Statements& statements() {
    static const Statements built;
    return built;
}

std::string describe_exception() {
    try {
        throw;
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

}  // namespace

DeliveryExecutor::DeliveryExecutor(DeliveryContext context, std::string subscriber,
                                   EventHandler handler)
    : context_(context), subscriber_(std::move(subscriber)), handler_(std::move(handler)) {}

DeliveryExecutor::Attempt DeliveryExecutor::attempt(const Event& event, std::int64_t seq,
                                                    bool check_blocked, std::string& error) const {
    Attempt outcome = Attempt::unavailable;
    store::CommitHooks hooks;
    const Status status = store::run_transaction(context_.pool, [&](pqxx::work& tx) -> Status {
        hooks.reset();
        if (check_blocked &&
            !store::exec_prepared(tx, statements().key_queued, subscriber_, event.key).empty()) {
            outcome = Attempt::blocked;
            return Error{ErrorCode::BLOCKED, "key queued"};
        }
        const auto recorded =
            seq > 0 ? store::exec_prepared(tx, statements().insert_handled_delete_queued,
                                           subscriber_, event.id, seq)
                    : store::exec_prepared(tx, statements().insert_handled, subscriber_, event.id);
        if (recorded.affected_rows() == 0) {  // queue row (if any) is deleted all the same
            outcome = Attempt::duplicate;
            return {};
        }
        context_.counters.observe_lag(to_micros(context_.clock()) - event.published_at_us);
        Status handled;
        try {
            handled = handler_(tx, event, hooks);
        } catch (...) {
            handled = Error{ErrorCode::HANDLER_EXCEPTION, describe_exception()};
        }
        if (handled) handled = hooks.before_commit.run();  // the handler's own work, last
        if (!handled) {
            outcome = Attempt::failed;
            error = std::string(admit::name(handled.error().code)) + ": " + handled.error().message;
            return handled.error();
        }
        outcome = Attempt::handled;
        return {};
    });
    hooks.after_commit.run(status.ok() && outcome == Attempt::handled);
    if (!status && outcome != Attempt::failed && outcome != Attempt::blocked) {
        // The handler returned OK but the commit (or our own statements) failed: nothing is
        // recorded as handled. Not the handler's fault, so no attempt is counted.
        error = std::string(admit::name(status.error().code)) + ": " + status.error().message;
        spdlog::warn("events: delivery of event {} to {} not recorded, will retry: {}", event.id,
                     subscriber_, error);
        return Attempt::unavailable;
    }
    return outcome;
}

DeliveryOutcome DeliveryExecutor::run_queued(std::int64_t seq, const Event& event) const {
    std::string error;
    switch (attempt(event, seq, false, error)) {
        case Attempt::handled:
            ++context_.counters.delivered;
            return DeliveryOutcome::handled;
        case Attempt::duplicate:
            ++context_.counters.duplicates;
            return DeliveryOutcome::duplicate;
        case Attempt::failed:
            return record_queued_failure(seq, event, error);
        case Attempt::blocked:
        case Attempt::unavailable:
            break;
    }
    return DeliveryOutcome::unavailable;
}

DeliveryOutcome DeliveryExecutor::run_direct(const Event& event) const {
    std::string error;
    switch (attempt(event, 0, true, error)) {
        case Attempt::handled:
            ++context_.counters.delivered;
            return DeliveryOutcome::handled;
        case Attempt::duplicate:
            ++context_.counters.duplicates;
            return DeliveryOutcome::duplicate;
        case Attempt::blocked:
            return DeliveryOutcome::blocked;
        case Attempt::failed:
            return record_direct_failure(event, error);
        case Attempt::unavailable:
            break;
    }
    return DeliveryOutcome::unavailable;
}

bool DeliveryExecutor::run_queued_batch(const std::vector<QueuedEvent>& batch) const {
    std::vector<const Event*> events;
    std::vector<std::int64_t> seqs;
    for (const auto& queued : batch) {
        events.push_back(&queued.event);
        seqs.push_back(queued.seq);
    }
    return attempt_batch(events, seqs, false);
}

bool DeliveryExecutor::run_direct_batch(const std::vector<Event>& batch) const {
    std::vector<const Event*> events;
    for (const auto& event : batch) events.push_back(&event);
    return attempt_batch(events, {}, true);
}

bool DeliveryExecutor::attempt_batch(const std::vector<const Event*>& events,
                                     const std::vector<std::int64_t>& seqs,
                                     bool check_blocked) const {
    if (events.empty()) return true;
    std::vector<std::int64_t> ids;
    std::vector<std::string> keys;
    for (const Event* event : events) {
        ids.push_back(event->id);
        if (check_blocked) keys.push_back(event->key);
    }
    std::uint64_t handled = 0, duplicates = 0;
    store::CommitHooks hooks;
    const Status status = store::run_transaction(context_.pool, [&](pqxx::work& tx) -> Status {
        hooks.reset();
        handled = duplicates = 0;
        if (check_blocked && !store::exec_prepared(tx, statements().keys_queued, subscriber_,
                                                   text_array_literal(keys))
                                  .empty()) {
            return Error{ErrorCode::BLOCKED, "a key of the batch is queued"};
        }
        std::unordered_set<std::int64_t> fresh;
        for (const auto& row :
             store::exec_prepared(tx, statements().insert_handled_batch, subscriber_,
                                  bigint_array_literal(ids), bigint_array_literal(seqs))) {
            fresh.insert(row[0].as<std::int64_t>());
        }
        const std::int64_t now_us = to_micros(context_.clock());
        for (const Event* event : events) {
            if (fresh.erase(event->id) == 0) {  // handled before, or earlier in this batch
                ++duplicates;
                continue;
            }
            context_.counters.observe_lag(now_us - event->published_at_us);
            Status result;
            try {
                result = handler_(tx, *event, hooks);
            } catch (...) {
                result = Error{ErrorCode::HANDLER_EXCEPTION, describe_exception()};
            }
            if (!result) return result.error();
            ++handled;
        }
        // What the handlers gathered over the batch, written once after the last of them.
        return hooks.before_commit.run();
    });
    hooks.after_commit.run(status.ok());
    if (!status) {
        ++context_.counters.batch_fallbacks;
        spdlog::debug("events: batch of {} for {} rolled back, running one by one: {}: {}",
                      events.size(), subscriber_, status.error().code, status.error().message);
        return false;
    }
    ++context_.counters.batches;
    context_.counters.delivered += handled;
    context_.counters.duplicates += duplicates;
    return true;
}

bool DeliveryExecutor::enqueue(const Event& event, std::uint32_t failed_attempts,
                               const std::string& last_error) const {
    const auto now = context_.clock();
    const auto due =
        failed_attempts == 0 ? now : now + backoff_after(context_.options, failed_attempts);
    const std::string sql =
        "INSERT INTO admit.event_deliveries (subscriber, event_id, topic, key, key_hash, payload, "
        "published_at, attempts, next_attempt_at, last_error) VALUES ($1, $2, $3, $4, "
        "hashtext($4), "
        "$5, " +
        micros_to_timestamptz(6) + ", $7, " + micros_to_timestamptz(8) +
        ", NULLIF($9, '')) ON CONFLICT (subscriber, event_id) DO NOTHING";
    const Status status = store::run_transaction(context_.pool, [&](pqxx::work& tx) -> Status {
        store::exec_prepared(tx, sql, subscriber_, event.id, event.topic, event.key, event.payload,
                             event.published_at_us, failed_attempts, to_micros(due), last_error);
        return {};
    });
    return status.ok();
}

DeliveryOutcome DeliveryExecutor::record_queued_failure(std::int64_t seq, const Event& event,
                                                        const std::string& error) const {
    const std::uint32_t failed = event.attempt;  // attempts made so far, this one included
    const auto now = context_.clock();
    const bool park = failed >= context_.options.max_attempts;
    const std::string sql =
        park ? "WITH d AS (DELETE FROM admit.event_deliveries WHERE seq = $1 RETURNING *) "
               "INSERT INTO admit.event_dead_letters (subscriber, event_id, topic, key, payload, "
               "published_at, attempts, error, parked_at) SELECT subscriber, event_id, topic, key, "
               "payload, published_at, $2, $3, " +
                   micros_to_timestamptz(4) + " FROM d"
             : "UPDATE admit.event_deliveries SET attempts = $2, last_error = $3, next_attempt_at "
               "= " +
                   micros_to_timestamptz(4) + " WHERE seq = $1";
    const auto when = park ? now : now + backoff_after(context_.options, failed);
    const Status status = store::run_transaction(context_.pool, [&](pqxx::work& tx) -> Status {
        store::exec_prepared(tx, sql, seq, failed, error, to_micros(when));
        return {};
    });
    if (!status) return DeliveryOutcome::unavailable;
    ++(park ? context_.counters.parked : context_.counters.retried);
    return park ? DeliveryOutcome::parked : DeliveryOutcome::retrying;
}

DeliveryOutcome DeliveryExecutor::record_direct_failure(const Event& event,
                                                        const std::string& error) const {
    if (context_.options.max_attempts > 1) {
        if (!enqueue(event, 1, error)) return DeliveryOutcome::unavailable;
        ++context_.counters.retried;
        return DeliveryOutcome::retrying;
    }
    const std::string sql =
        "INSERT INTO admit.event_dead_letters (subscriber, event_id, topic, key, payload, "
        "published_at, attempts, error, parked_at) VALUES ($1, $2, $3, $4, $5, " +
        micros_to_timestamptz(6) + ", 1, $7, " + micros_to_timestamptz(8) + ")";
    const Status status = store::run_transaction(context_.pool, [&](pqxx::work& tx) -> Status {
        store::exec_prepared(tx, sql, subscriber_, event.id, event.topic, event.key, event.payload,
                             event.published_at_us, error, to_micros(context_.clock()));
        return {};
    });
    if (!status) return DeliveryOutcome::unavailable;
    ++context_.counters.parked;
    return DeliveryOutcome::parked;
}

}  // namespace admit::events

// DeliveryExecutor: runs one subscriber's handler for one event with the exactly-once-effect
// protocol, and records what happens when it fails. Shared by the inproc dispatcher and the Kafka
// consumer so both backends have identical semantics.
//
// Protocol (one transaction): INSERT (subscriber, event id) into event_handled, ON CONFLICT DO
// NOTHING, and DELETE the queue row (if any), in one statement. No row inserted -> a redelivery
// of an event already handled: the handler is skipped. Otherwise the handler runs in the same
// transaction; commit. A non-OK handler, an exception, or a failed commit rolls back everything,
// including the handled record; the failure is then recorded in a second transaction: attempts + 1
// and next_attempt_at = now + backoff in event_deliveries, or, once attempts reach max_attempts,
// the event is moved to event_dead_letters for this subscriber only.
//
// Thread-safety: const members may be called concurrently; each call uses its own pooled
// connection.
#pragma once

#include <cstdint>
#include <string>

#include "host/events/event_types.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::events {

enum class DeliveryOutcome {
    handled,     // handler committed
    duplicate,   // already handled earlier: skipped (queue row removed)
    blocked,     // direct delivery refused: an earlier event of this key is still queued
    retrying,    // handler failed; queued for another attempt
    parked,      // handler failed for the last time; in the dead-letter table
    unavailable  // the database failed before the outcome could be recorded; try again later
};

struct DeliveryContext {
    store::PgPool& pool;
    const EventOptions& options;
    const Clock& clock;
    EventCounters& counters;
};

class DeliveryExecutor {
  public:
    DeliveryExecutor(DeliveryContext context, std::string subscriber, EventHandler handler);

    const std::string& subscriber() const { return subscriber_; }

    // Runs a queued delivery (row `seq` of event_deliveries, event.attempt = attempts + 1).
    DeliveryOutcome run_queued(std::int64_t seq, const Event& event) const;

    // Runs an event arriving directly from the transport (Kafka). Refuses with `blocked` when an
    // earlier event with the same key is queued for this subscriber, so per-key order holds
    // while that one is retried; the caller then enqueues it (enqueue()).
    DeliveryOutcome run_direct(const Event& event) const;

    // Appends an event to this subscriber's queue (behind any queued event of its key); no-op if
    // already queued. Returns false when the database is unavailable.
    bool enqueue(const Event& event, std::uint32_t failed_attempts,
                 const std::string& last_error) const;

  private:
    enum class Attempt { handled, duplicate, blocked, failed, unavailable };
    Attempt attempt(const Event& event, std::int64_t seq, bool check_blocked,
                    std::string& error) const;
    DeliveryOutcome record_queued_failure(std::int64_t seq, const Event& event,
                                          const std::string& error) const;
    DeliveryOutcome record_direct_failure(const Event& event, const std::string& error) const;

    DeliveryContext context_;
    std::string subscriber_;
    EventHandler handler_;
};

}  // namespace admit::events

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
// Batches (run_queued_batch / run_direct_batch, EventOptions::delivery_batch): several ready
// events of this subscriber in ONE transaction: one statement inserts all their handled ids
// (INSERT ... SELECT unnest(ids) ON CONFLICT DO NOTHING RETURNING event_id) and deletes their
// queue rows; the handler then runs, in batch order, for each event whose id came back (the
// others are duplicates, skipped); commit. If any handler fails or throws, or the commit fails,
// the whole batch rolls back and the caller runs each event on its own (run_queued /
// run_direct), so retry, backoff, parking and "other keys proceed" are exactly the single-event
// semantics. A batch holds events in queue order and may hold several of one key, so per-key
// order holds inside it.
//
// Why the effect stays exactly-once with batches: an event's handled id and its handler's writes
// are in the same transaction, whether it holds one event or many, and a transaction commits all
// or nothing. RETURNING yields only ids this transaction inserted; a concurrent transaction
// inserting the same id waits on the primary key until ours ends, then conflicts (skips) or
// inserts (we rolled back). So at most one committed transaction ever ran the handler for
// (subscriber, event id), and a rolled-back batch leaves no handled id and no deleted queue row
// behind: the fallback (or a later pass) delivers every event of it, at least once. The price: a
// handler may be called again for an event whose earlier call was rolled back (a failed batch,
// as after any failed commit); only its writes in `tx` count, never side effects outside it.
//
// Thread-safety: const members may be called concurrently; each call uses its own pooled
// connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
    // Nice value of this subscriber's delivery threads: options.background_nice, or 0 (the
    // process's own) for an interactive subscription (Subscription::interactive).
    int delivery_nice = 0;
};

// A row of event_deliveries (seq) with its event (event.attempt = attempts + 1).
struct QueuedEvent {
    std::int64_t seq = 0;
    Event event;
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

    // Runs queued deliveries (runnable, in seq order) in one transaction. True when it
    // committed: every event was handled or skipped as a duplicate, its queue row is gone. False
    // when it rolled back (a handler failed or threw, the commit failed): nothing of the batch
    // happened; run each event with run_queued, in order.
    bool run_queued_batch(const std::vector<QueuedEvent>& batch) const;

    // Runs events arriving from the transport (in arrival order per key) in one transaction.
    // False, with nothing done, when it rolled back or when an event of a key in the batch is
    // queued for this subscriber (per-key order): then run each event with run_direct.
    bool run_direct_batch(const std::vector<Event>& batch) const;

    // Appends an event to this subscriber's queue (behind any queued event of its key); no-op if
    // already queued. Returns false when the database is unavailable.
    bool enqueue(const Event& event, std::uint32_t failed_attempts,
                 const std::string& last_error) const;

  private:
    enum class Attempt { handled, duplicate, blocked, failed, unavailable };
    Attempt attempt(const Event& event, std::int64_t seq, bool check_blocked,
                    std::string& error) const;
    // Shared by the batch entry points; `seqs` are queue rows to delete (empty for direct).
    bool attempt_batch(const std::vector<const Event*>& events,
                       const std::vector<std::int64_t>& seqs, bool check_blocked) const;
    DeliveryOutcome record_queued_failure(std::int64_t seq, const Event& event,
                                          const std::string& error) const;
    DeliveryOutcome record_direct_failure(const Event& event, const std::string& error) const;

    DeliveryContext context_;
    std::string subscriber_;
    EventHandler handler_;
};

}  // namespace admit::events

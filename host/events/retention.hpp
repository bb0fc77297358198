// Retention of the event bus's tables: relayed outbox rows, handled ids and replayed dead letters
// would otherwise grow forever. The relay thread calls step() between relay passes; each step
// deletes at most EventOptions::retention_batch rows per table (short transactions, no long
// locks), and steps follow each other at once while a table has more expired rows, then every
// retention_interval.
//
// What is expired (ages measured with the database clock, like the timestamps themselves):
//   event_outbox        relayed_at older than retention_outbox (unrelayed rows are never touched)
//   event_handled       handled_at older than retention_handled
//   event_dead_letters  replayed_at older than retention_dead_letters (parked, unreplayed rows
//                       are never touched: an operator must see them)
//
// The bound that keeps redeliveries filtered: a handled id must outlive every way its event can be
// delivered again. Inproc, the queue row is deleted in the handler's own transaction, so a
// redelivery needs the outbox row to be relayed again (relayed_at reset, or a relay that crashed
// before committing: seconds); the row is gone after retention_outbox, hence
// retention_handled > retention_outbox (EventBus::start() refuses less). On Kafka a message can
// come again as long as the topic keeps it (a consumer group reset, a rebalance before the offset
// commit): the topics' retention.ms (plus the worst consumer lag) must be shorter than
// retention_handled.
//
// Several hosts: a transaction-scoped advisory lock lets one host clean at a time; the others
// skip the step.
//
// Thread-safety: step() from one thread (the relay's); sweep_expired() from any thread.
#pragma once

#include <chrono>
#include <cstddef>

#include "host/common/result.hpp"
#include "host/events/event_types.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::events {

// Rows deleted by one sweep, per table.
struct RetentionSweep {
    std::size_t outbox = 0, handled = 0, dead_letters = 0;
    bool locked = true;  // false: another host was cleaning, nothing was done
};

// Deletes at most options.retention_batch expired rows of each table, in one transaction.
Result<RetentionSweep> sweep_expired(store::PgPool& pool, const EventOptions& options);

class Retention {
  public:
    Retention(store::PgPool& pool, const EventOptions& options, EventCounters& counters);

    // Sweeps once if due (the first call always is); schedules the next sweep immediately while
    // a table had a full batch of expired rows, else after retention_interval (also on failure).
    void step(std::chrono::steady_clock::time_point now);

  private:
    store::PgPool& pool_;
    const EventOptions& options_;
    EventCounters& counters_;
    std::chrono::steady_clock::time_point next_due_{};
};

}  // namespace admit::events

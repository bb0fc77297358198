// EventBus: transactional outbox publishing and at-least-once delivery with once-only effects.
//
// Lifecycle: construct -> migrate() -> subscribe()... -> start() -> publish()/operators -> stop().
// publish() may be called before start() (rows wait in the outbox; that is the point).
//
// Guarantees and the traps they avoid (details in outbox_relay.hpp, delivery_executor.hpp,
// delivery_dispatcher.hpp, kafka_subscriber.hpp):
// - An event is written in the publisher's transaction: a rolled-back publish never exists, a
//   committed one is never lost, even if this process dies before relaying it (the next relay of
//   any process finds it still unrelayed: relayed_at IS NULL, never a "max id seen" cursor, since
//   sequence ids commit out of order).
// - Delivery is at-least-once; the handler's transaction also inserts (subscriber, event id)
//   into event_handled, so a redelivery finds the record and skips the handler: effect once.
// - Order per key and subscriber: events of one key reach one subscriber in relay order; each
//   subscriber has its own queue, so a slow or failing subscriber never holds up the others.
// - A failing handler rolls back (handled record included), is retried with exponential backoff
//   while later events of that key wait (only that key, only that subscriber), and after
//   max_attempts the event is parked in event_dead_letters with the error, which unblocks the key.
//   replay_dead_letter() queues it again. Nothing is dropped silently.
//
// Thread-safety: publish(), dead_letters(), replay_dead_letter(), healthy(), stats() are safe from
// any thread once constructed; migrate/subscribe/start/stop belong to the owner thread.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/common/result.hpp"
#include "host/events/event_types.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::events {

class EventBus {
  public:
    // `pool` must outlive the bus. `clock` stamps published_at and schedules retries (defaults to
    // the system clock when empty).
    EventBus(EventOptions options, store::PgPool& pool, Clock clock = {});
    ~EventBus();  // stop()s
    EventBus(const EventBus&) = delete;
    EventBus& operator=(const EventBus&) = delete;

    // Creates or upgrades the bus's tables (owner "admit_events", schema "admit").
    Status migrate();

    // Writes the event to the outbox in `tx` (one statement) and tells the local relay to watch
    // for that transaction's end (no NOTIFY unless notify_on_publish). Returns the event id.
    // Error{ErrorCode::EVENT_INVALID} for an empty topic; database errors as mapped by store (the
    // transaction is then aborted). Never throws.
    Result<EventId> publish(pqxx::transaction_base& tx, std::string_view topic,
                            std::string_view key, std::string_view payload);

    // A topic an event may be published to: non-empty, no '*' (that is for subscriptions).
    static bool publishable_topic(std::string_view topic) {
        return !topic.empty() && topic.find('*') == std::string_view::npos;
    }

    // An event waiting to be written by publish_many().
    struct Outgoing {
        std::string topic, key, payload;
    };
    // Writes all `events` to the outbox in `tx` with ONE statement, in the given order (their ids
    // ascend in that order, so per-key order is kept), with the same effects as publish() for
    // each. Used to write the events of a whole transaction at its end. Errors as publish().
    Status publish_many(pqxx::transaction_base& tx, std::span<const Outgoing> events);

    // Registers a handler; only before start(). Error{ErrorCode::EVENT_INVALID} for an empty or
    // duplicate subscriber id, an empty topic, a '*' anywhere but at the end, or a missing handler.
    Status subscribe(Subscription subscription);
    // What subscribe would answer for a subscription with this topic and subscriber id, without
    // subscribing (lets a plugin's registrations be checked before any of them is published).
    Status check_subscription(const std::string& topic, const std::string& subscriber) const;

    // Starts the relay, the per-subscriber dispatchers and (kafka) consumers.
    Status start();
    // Stops consuming and relaying; handlers in flight finish and commit first. Idempotent.
    void stop();

    // Parked events (not yet replayed), oldest first.
    Result<std::vector<DeadLetter>> dead_letters(std::size_t limit = 1000);
    // Queues a parked event again for its subscriber. Error{ErrorCode::NOT_FOUND} if unknown or
    // replayed.
    Status replay_dead_letter(std::int64_t dead_letter_id);

    // True when started and the relay, dispatchers and consumers reach their dependencies.
    bool healthy() const { return health_problem().empty(); }
    // Empty when healthy(); otherwise which part is failing ("relay: its last pass failed",
    // "delivery to 'mailer': its last pass failed", ...), for readiness and its log.
    std::string health_problem() const;
    // Whether the relay holds its LISTEN connection; without it (PostgreSQL restarted, LISTEN
    // not yet reconnected) it polls every relay_poll, which delays events, and loses none.
    bool relay_listening() const;
    const EventCounters& counters() const;
    EventStats stats() const { return snapshot(counters()); }

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace admit::events

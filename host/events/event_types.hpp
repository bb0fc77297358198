// Plain value types of the event bus: options, events, subscriptions, dead letters, counters.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <pqxx/pqxx>

#include "host/store/commit_hooks.hpp"

#include "host/common/result.hpp"

namespace admit::events {

using EventId = std::int64_t;
using Clock = std::function<std::chrono::system_clock::time_point()>;

enum class Backend { inproc, kafka };

// Parses "inproc" / "kafka" (venue config); anything else is
// Error{ErrorCode::CONFIG_INVALID_VALUE}.
Result<Backend> parse_backend(const std::string& name);

struct KafkaOptions {
    std::string brokers;                            // bootstrap.servers
    std::string topic_prefix = "admit.";            // Kafka topic = prefix + event topic
    std::map<std::string, std::string> properties;  // extra librdkafka settings (both directions)
};

struct EventOptions {
    Backend backend = Backend::inproc;
    std::size_t relay_batch = 500;               // outbox rows per relay transaction
    std::chrono::milliseconds relay_poll{1000};  // fallback poll when no NOTIFY arrives
    // How often an idle delivery worker looks for work it was not woken for: events another
    // host relayed, rows left by a crash. This host's relay wakes its workers at once, and a
    // due retry sets its own wake-up, so this is a safety net, not the delivery latency.
    std::chrono::milliseconds delivery_poll{1000};
    std::uint32_t max_attempts = 5;                  // handler attempts before the event is parked
    std::chrono::milliseconds backoff_initial{200};  // doubled per failed attempt ...
    std::chrono::milliseconds backoff_max{30000};    // ... up to this
    std::size_t workers_per_subscriber = 4;  // parallel keys per subscriber (order per key kept)
    // Also NOTIFY the relays of other processes from each publishing transaction. Costly: NOTIFY
    // serializes commits on a global lock. Only for publishers without a local relay.
    bool notify_on_publish = false;
    // Up to this many ready events of one subscriber run in one transaction (1: one per
    // transaction). A failing batch is rolled back and its events run one by one (see
    // delivery_executor.hpp), so retry and parking are per event as without batching.
    std::size_t delivery_batch = 64;
    // Nice value of the relay, delivery and Kafka consumer threads (0..19; 0: as the process).
    // Request handling keeps the cores in a burst; event delivery catches up after it.
    int background_nice = 10;
    // Retention (run by the relay thread, see retention.hpp): relayed outbox rows and replayed
    // dead letters are deleted this long after relay / replay, handled ids this long after the
    // handler committed. retention_handled bounds how late a redelivery is still filtered: it
    // must exceed retention_outbox and the Kafka topics' retention.ms (start() refuses a
    // retention_handled shorter than retention_outbox).
    std::chrono::seconds retention_outbox{24 * 3600};
    std::chrono::seconds retention_handled{7 * 24 * 3600};
    std::chrono::seconds retention_dead_letters{7 * 24 * 3600};
    std::chrono::milliseconds retention_interval{60000};  // between cleanups once caught up
    std::size_t retention_batch = 1000;                   // rows per DELETE statement
    KafkaOptions kafka;
};

struct Event {
    EventId id = 0;  // outbox id: unique, stable across redeliveries
    std::string topic;
    std::string key;                   // ordering key
    std::string payload;               // JSON
    std::int64_t published_at_us = 0;  // unix microseconds, from the bus clock at publish
    std::uint32_t attempt = 1;         // 1 on first delivery
};

// A handler runs inside `tx`, which also records (subscriber, event id) as handled; non-OK (or an
// exception) rolls everything back and the event is retried, then parked. It must not commit or
// abort `tx` itself.
// `hooks` collects work for the end of `tx`: hooks.before_commit runs inside it after the last
// handler sharing it returned OK (a batch delivers several events in one transaction), and
// hooks.after_commit only once it committed (see store/commit_hooks.hpp).
using EventHandler =
    std::function<Status(pqxx::work& tx, const Event& event, store::CommitHooks& hooks)>;

struct Subscription {
    std::string topic;       // exact topic, or a prefix ending in '*' ("reservation.*")
    std::string subscriber;  // globally unique and stable, e.g. "product.seat-counts"
    EventHandler handler;
    // People wait to see its effect (a seat map's stream): its delivery threads keep request
    // priority instead of background_nice (background_priority.hpp), in a burst too.
    bool interactive = false;
};

// True when `topic` matches `pattern` (exact, or prefix when the pattern ends in '*').
bool topic_matches(const std::string& pattern, const std::string& topic);

struct DeadLetter {
    std::int64_t id = 0;  // dead-letter id (what replay_dead_letter takes)
    std::string subscriber;
    Event event;        // event.attempt = attempts made
    std::string error;  // the last handler error
    std::int64_t parked_at_us = 0;
};

// Monotonic counters; read with snapshot().
struct EventCounters {
    std::atomic<std::uint64_t> published{0};        // outbox rows written through this bus
    std::atomic<std::uint64_t> relayed{0};          // outbox rows handed to the backend
    std::atomic<std::uint64_t> delivered{0};        // handler transactions committed
    std::atomic<std::uint64_t> duplicates{0};       // redeliveries filtered by handled ids
    std::atomic<std::uint64_t> retried{0};          // failed attempts scheduled for retry
    std::atomic<std::uint64_t> parked{0};           // events moved to the dead-letter table
    std::atomic<std::uint64_t> batches{0};          // multi-event delivery transactions committed
    std::atomic<std::uint64_t> batch_fallbacks{0};  // batches rolled back and run one by one
    std::atomic<std::uint64_t> cleaned{0};          // rows deleted by retention
    std::atomic<std::uint64_t> starved{0};          // passes that found no pooled connection free
    std::atomic<std::int64_t> last_lag_us{0};       // publish -> handler start, last delivery
    std::atomic<std::int64_t> max_lag_us{0};

    void observe_lag(std::int64_t lag_us);
};

struct EventStats {
    std::uint64_t published = 0, relayed = 0, delivered = 0, duplicates = 0, retried = 0,
                  parked = 0, batches = 0, batch_fallbacks = 0, cleaned = 0, starved = 0;
    std::int64_t last_lag_us = 0, max_lag_us = 0;
};

EventStats snapshot(const EventCounters& counters);

// True when a relay or delivery pass failed only because no pooled connection was free
// (POOL_EXHAUSTED: the requests hold them all); counts it in `counters.starved`. Such a pass is
// load, not an outage: it leaves the relay and the workers healthy (readiness must not take a
// busy instance out of the balancer).
bool starved_by_pool(const Status& pass, EventCounters& counters);

}  // namespace admit::events

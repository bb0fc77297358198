#include "host/events/event_bus.hpp"

#include <utility>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "host/events/dead_letters.hpp"
#include "host/events/delivery_dispatcher.hpp"
#include "host/events/event_schema.hpp"
#include "host/events/event_sql.hpp"
#include "host/events/fan_out_target.hpp"
#include "host/events/kafka_relay_target.hpp"
#include "host/events/kafka_subscriber.hpp"
#include "host/events/outbox_relay.hpp"

#include "host/store/migrations.hpp"
#include "host/store/sql_exec.hpp"

namespace admit::events {

namespace {

// The publish statements, built at their first use (no work in a static initializer) and then
// shared: exec_prepared takes them by reference, so no publish builds a string.
struct Statements {
    std::string publish =
        "INSERT INTO admit.event_outbox (topic, key, payload, published_at) VALUES ($1, $2, $3, " +
        micros_to_timestamptz(4) + ") RETURNING id, pg_current_xact_id()::text";
    std::string publish_and_notify =
        "WITH ins AS (INSERT INTO admit.event_outbox (topic, key, payload, published_at) "
        "VALUES ($1, $2, $3, " +
        micros_to_timestamptz(4) +
        ") RETURNING id, pg_current_xact_id()) "
        "SELECT id, pg_current_xact_id()::text, pg_notify('" +
        std::string(kOutboxChannel) + "', '') FROM ins";
    // $1: [{"t": topic, "k": key, "p": payload}, ...]; ids follow the array's order.
    std::string publish_many =
        "WITH ins AS (INSERT INTO admit.event_outbox (topic, key, payload, published_at) "
        "SELECT e.t, e.k, e.p, " +
        micros_to_timestamptz(2) +
        " FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (t text, k text, p text))"
        " WITH ORDINALITY AS e(t, k, p, n) ORDER BY e.n "
        "RETURNING 1) SELECT count(*)::text, pg_current_xact_id()::text FROM ins";
    std::string publish_many_and_notify =  // after publish_many: built from it
        publish_many + ", pg_notify('" + std::string(kOutboxChannel) + "', '')";
};
const Statements& statements() {
    static const Statements built;
    return built;
}

// Reads (id, xid) from the publish statement.
class PublishedRow final : public store::RowSink {
  public:
    void on_columns(std::span<const std::string_view>) override {}
    void on_row(std::span<const std::optional<std::string_view>> values) override {
        if (values.size() >= 2 && values[0] && values[1]) {
            id = std::string(*values[0]);
            xid = std::string(*values[1]);
        }
    }
    std::optional<std::string> id, xid;
};

Status validate(const std::string& topic, const std::string& subscriber, bool has_handler) {
    const auto star = topic.find('*');
    if (subscriber.empty() || topic.empty() || !has_handler ||
        (star != std::string::npos && star != topic.size() - 1)) {
        return Error{ErrorCode::EVENT_INVALID,
                     "subscription needs a subscriber id, a handler and a topic "
                     "(exact, or a prefix ending in '*'): subscriber \"" +
                         subscriber + "\", topic \"" + topic + "\""};
    }
    return {};
}

}  // namespace

struct Subscriber {
    Subscription subscription;
    std::unique_ptr<DeliveryDispatcher> dispatcher;
    std::unique_ptr<KafkaSubscriber> consumer;
};

struct EventBus::State {
    State(EventOptions o, store::PgPool& p, Clock c)
        : options(std::move(o)),
          pool(p),
          clock(c ? std::move(c) : Clock(&std::chrono::system_clock::now)) {}
    DeliveryContext context() {
        return DeliveryContext{pool, options, clock, counters, options.background_nice};
    }
    // The context of one subscriber's delivery threads (an interactive one keeps request
    // priority).
    DeliveryContext context_of(const Subscription& subscription) {
        DeliveryContext c = context();
        if (subscription.interactive) c.delivery_nice = 0;
        return c;
    }
    Status start_kafka();

    EventOptions options;
    store::PgPool& pool;
    Clock clock;
    EventCounters counters;
    PendingCommits pending;
    std::vector<std::unique_ptr<Subscriber>> subscribers;
    std::unique_ptr<OutboxRelay> relay;
    bool started = false;
};

EventBus::EventBus(EventOptions options, store::PgPool& pool, Clock clock)
    : state_(std::make_unique<State>(std::move(options), pool, std::move(clock))) {}

EventBus::~EventBus() { stop(); }

Status EventBus::migrate() {
    std::vector<store::Migration> migrations;
    for (auto& m : event_migrations()) migrations.push_back({m.version, m.name, m.sql});
    return store::apply_migrations(state_->pool, kMigrationOwner, kSchema, std::move(migrations));
}

Result<EventId> EventBus::publish(pqxx::transaction_base& tx, std::string_view topic,
                                  std::string_view key, std::string_view payload) {
    if (!publishable_topic(topic)) {
        return Error{ErrorCode::EVENT_INVALID, "event topic must be non-empty and contain no '*'"};
    }
    const std::optional<std::string> params[] = {std::string(topic), std::string(key),
                                                 std::string(payload),
                                                 std::to_string(to_micros(state_->clock()))};
    PublishedRow row;
    auto result = store::execute(
        tx,
        state_->options.notify_on_publish ? statements().publish_and_notify : statements().publish,
        params, &row);
    if (!result) return result.error();
    if (!row.id || !row.xid) return Error{ErrorCode::INTERNAL, "outbox insert returned no id"};
    ++state_->counters.published;
    state_->pending.add(std::move(*row.xid));
    return std::stoll(*row.id);
}

Status EventBus::publish_many(pqxx::transaction_base& tx, std::span<const Outgoing> events) {
    if (events.empty()) return {};
    boost::json::array rows;
    rows.reserve(events.size());
    for (const auto& e : events) {
        if (!publishable_topic(e.topic)) {
            return Error{ErrorCode::EVENT_INVALID,
                         "event topic must be non-empty and contain no '*'"};
        }
        rows.push_back(boost::json::object{{"t", e.topic}, {"k", e.key}, {"p", e.payload}});
    }
    const std::optional<std::string> params[] = {boost::json::serialize(rows),
                                                 std::to_string(to_micros(state_->clock()))};
    PublishedRow row;  // (count, xid)
    auto result =
        store::execute(tx,
                       state_->options.notify_on_publish ? statements().publish_many_and_notify
                                                         : statements().publish_many,
                       params, &row);
    if (!result) return result.error();
    if (!row.id || !row.xid || *row.id != std::to_string(events.size())) {
        return Error{ErrorCode::INTERNAL, "the outbox insert did not write every event"};
    }
    state_->counters.published += events.size();
    state_->pending.add(std::move(*row.xid));
    return {};
}

Status EventBus::check_subscription(const std::string& topic, const std::string& subscriber) const {
    if (state_->started)
        return Error{ErrorCode::EVENT_INVALID, "subscribe after start: " + subscriber};
    if (auto st = validate(topic, subscriber, /*has_handler=*/true); !st) return st;
    for (const auto& s : state_->subscribers) {
        if (s->subscription.subscriber == subscriber) {
            return Error{ErrorCode::EVENT_INVALID, "duplicate subscriber id " + subscriber};
        }
    }
    return {};
}

Status EventBus::subscribe(Subscription subscription) {
    if (!subscription.handler) return validate(subscription.topic, subscription.subscriber, false);
    if (auto st = check_subscription(subscription.topic, subscription.subscriber); !st) return st;
    auto subscriber = std::make_unique<Subscriber>();
    subscriber->subscription = std::move(subscription);
    state_->subscribers.push_back(std::move(subscriber));
    return {};
}

Status EventBus::State::start_kafka() {
    auto target = KafkaRelayTarget::create(options);
    if (!target) return target.error();
    for (auto& s : subscribers) {
        auto executor = std::make_shared<const DeliveryExecutor>(
            context(), s->subscription.subscriber, s->subscription.handler);
        DeliveryDispatcher* dispatcher = s->dispatcher.get();
        auto consumer =
            KafkaSubscriber::create(context_of(s->subscription), executor, s->subscription.topic,
                                    [dispatcher] { dispatcher->wake(); });
        if (!consumer) return consumer.error();
        s->consumer = std::move(consumer.value());
    }
    relay =
        std::make_unique<OutboxRelay>(pool, options, counters, pending, std::move(target.value()));
    return {};
}

Status EventBus::start() {
    State& st = *state_;
    if (st.started) return Error{ErrorCode::EVENT_INVALID, "event bus already started"};
    if (st.options.retention_handled <= st.options.retention_outbox) {
        // A relayed outbox row can be relayed again while it exists: its handled ids must outlive
        // it (retention.hpp).
        return Error{ErrorCode::CONFIG_INVALID_VALUE,
                     "events retention_handled must be longer than retention_outbox"};
    }
    std::vector<std::string> ids, patterns;
    for (auto& s : st.subscribers) {
        auto executor = std::make_shared<const DeliveryExecutor>(
            st.context(), s->subscription.subscriber, s->subscription.handler);
        s->dispatcher =
            std::make_unique<DeliveryDispatcher>(st.context_of(s->subscription), executor);
        ids.push_back(s->subscription.subscriber);
        patterns.push_back(s->subscription.topic);
    }
    if (st.options.backend == Backend::kafka) {
        if (auto status = st.start_kafka(); !status) {
            for (auto& s : st.subscribers) s->consumer.reset();
            return status;
        }
    } else {
        auto target = std::make_unique<FanOutTarget>(
            std::move(ids), std::move(patterns),
            [&st](const std::vector<FanOutTarget::Queued>& queued) {
                for (const auto& q : queued) {
                    for (auto& s : st.subscribers) {
                        if (s->subscription.subscriber == q.subscriber)
                            s->dispatcher->wake_for_key_hash(q.key_hash, q.first_seq);
                    }
                }
            });
        st.relay = std::make_unique<OutboxRelay>(st.pool, st.options, st.counters, st.pending,
                                                 std::move(target));
    }
    for (auto& s : st.subscribers) s->dispatcher->start();
    for (auto& s : st.subscribers) {
        if (!s->consumer) continue;
        if (auto status = s->consumer->start(); !status) {
            st.started = true;
            stop();
            return status;
        }
    }
    st.relay->start();
    st.started = true;
    return {};
}

void EventBus::stop() {
    State& st = *state_;
    if (!st.started) return;
    if (st.relay) st.relay->stop();
    for (auto& s : st.subscribers) {
        if (s->consumer) s->consumer->stop();
    }
    for (auto& s : st.subscribers) {
        if (s->dispatcher) s->dispatcher->stop();
    }
    st.relay.reset();
    for (auto& s : st.subscribers) {
        s->consumer.reset();
        s->dispatcher.reset();
    }
    st.started = false;
}

Result<std::vector<DeadLetter>> EventBus::dead_letters(std::size_t limit) {
    return list_dead_letters(state_->pool, limit);
}

Status EventBus::replay_dead_letter(std::int64_t dead_letter_id) {
    auto subscriber =
        events::replay_dead_letter(state_->pool, dead_letter_id, to_micros(state_->clock()));
    if (!subscriber) return subscriber.error();
    for (auto& s : state_->subscribers) {
        if (s->subscription.subscriber == subscriber.value() && s->dispatcher)
            s->dispatcher->wake();
    }
    return {};
}

std::string EventBus::health_problem() const {
    const State& st = *state_;
    if (!st.started || !st.relay) return "not started";
    if (!st.relay->healthy()) return "relay: its last pass failed";
    for (const auto& s : st.subscribers) {
        if (!s->dispatcher->healthy())
            return "delivery to '" + s->subscription.subscriber + "': its last pass failed";
        if (s->consumer && !s->consumer->healthy())
            return "Kafka consumer of '" + s->subscription.subscriber + "' is failing";
    }
    return {};
}

bool EventBus::relay_listening() const {
    const State& st = *state_;
    return st.relay && st.relay->listening();
}

const EventCounters& EventBus::counters() const { return state_->counters; }

}  // namespace admit::events

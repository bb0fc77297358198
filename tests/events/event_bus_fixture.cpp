#include "tests/events/event_bus_fixture.hpp"

#include <cstdlib>

namespace admit::events::testing {

void EventBusTest::SetUp() {
    database_ = std::make_unique<TestDatabase>();
    store::PgOptions pg;
    pg.url = database_->url();
    pg.pool_size = 24;
    pool_ = std::make_unique<store::PgPool>(pg);
    if (GetParam() == Backend::kafka) kafka_ = std::make_unique<MockKafka>();
    sql_value(
        *pool_,
        "CREATE TABLE public.effects (subscriber text, event_id bigint, key text, payload text, "
        "seq bigserial, PRIMARY KEY (subscriber, event_id))");
}

void EventBusTest::TearDown() {
    kafka_.reset();
    pool_.reset();
    database_.reset();
}

EventOptions EventBusTest::options() const {
    EventOptions o;
    o.backend = GetParam();
    o.relay_poll = std::chrono::milliseconds(250);
    o.max_attempts = 3;
    o.backoff_initial = std::chrono::milliseconds(20);
    o.backoff_max = std::chrono::milliseconds(200);
    o.workers_per_subscriber = 2;
    if (kafka_) {
        o.kafka.brokers = kafka_->brokers();
        o.kafka.topic_prefix = "admit.";
        o.kafka.properties["log_level"] = "3";
        // The mock coordinator can hold a rejoin (after a metadata change right behind the first
        // JoinGroup) until the old member's session expires: 45 s by default, longer than a test
        // waits. A short session bounds that stall to a few seconds.
        o.kafka.properties["session.timeout.ms"] = "6000";
        o.kafka.properties["heartbeat.interval.ms"] = "500";
        if (const char* debug = std::getenv("ADMIT_EVENTS_KAFKA_DEBUG")) {  // e.g. "cgrp,fetch"
            o.kafka.properties["debug"] = debug;
            o.kafka.properties["log_level"] = "7";
        }
    }
    return o;
}

std::unique_ptr<EventBus> EventBusTest::make_bus(const std::vector<std::string>& topics,
                                                 EventOptions opts) {
    if (kafka_) {
        for (const auto& topic : topics) kafka_->create_topic(opts.kafka.topic_prefix + topic);
    }
    auto bus = std::make_unique<EventBus>(opts, *pool_);
    auto migrated = bus->migrate();
    EXPECT_TRUE(migrated.ok()) << (migrated ? "" : migrated.error().message);
    return bus;
}

EventHandler EventBusTest::recording_handler(const std::string& subscriber,
                                             std::function<bool(const Event&)> should_fail) {
    return [this, subscriber, should_fail](pqxx::work& tx, const Event& event,
                                           store::CommitHooks&) -> Status {
        const bool fail = should_fail && should_fail(event);
        {
            std::lock_guard lock(mutex_);
            calls_.push_back({subscriber, event, std::chrono::steady_clock::now(), fail});
        }
        tx.exec_params(
            "INSERT INTO public.effects (subscriber, event_id, key, payload) VALUES ($1, $2, $3, "
            "$4)",
            subscriber, event.id, event.key, event.payload);
        if (fail) return Error{ErrorCode::HANDLER_FAILED, "refused " + event.payload};
        return {};
    };
}

std::vector<HandlerCall> EventBusTest::calls(const std::string& subscriber) const {
    std::lock_guard lock(mutex_);
    std::vector<HandlerCall> out;
    for (const auto& call : calls_) {
        if (call.subscriber == subscriber) out.push_back(call);
    }
    return out;
}

std::size_t EventBusTest::successful_calls(const std::string& subscriber) const {
    std::size_t n = 0;
    for (const auto& call : calls(subscriber)) n += call.failed ? 0 : 1;
    return n;
}

std::size_t EventBusTest::effects(const std::string& subscriber) {
    auto lease = pool_->acquire();
    pqxx::work tx(lease->conn());
    const auto n = tx.exec_params("SELECT count(*) FROM public.effects WHERE subscriber = $1",
                                  subscriber)[0][0]
                       .as<std::size_t>();
    tx.commit();
    return n;
}

std::vector<std::pair<std::string, std::string>> EventBusTest::effects_in_order(
    const std::string& subscriber) {
    auto lease = pool_->acquire();
    pqxx::work tx(lease->conn());
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& row : tx.exec_params(
             "SELECT key, payload FROM public.effects WHERE subscriber = $1 ORDER BY seq",
             subscriber)) {
        out.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
    }
    tx.commit();
    return out;
}

std::string EventBusTest::describe(const EventBus& bus) {
    const auto s = bus.stats();
    std::string text =
        "published " + std::to_string(s.published) + ", relayed " + std::to_string(s.relayed) +
        ", delivered " + std::to_string(s.delivered) + ", duplicates " +
        std::to_string(s.duplicates) + ", retried " + std::to_string(s.retried) + ", parked " +
        std::to_string(s.parked) + ", batches " + std::to_string(s.batches) + ", batch fallbacks " +
        std::to_string(s.batch_fallbacks) + ", healthy " + (bus.healthy() ? "yes" : "no");
    try {
        text +=
            ", unrelayed " +
            sql_value(*pool_, "SELECT count(*) FROM admit.event_outbox WHERE relayed_at IS NULL") +
            ", queued " + sql_value(*pool_, "SELECT count(*) FROM admit.event_deliveries");
    } catch (const std::exception& e) {
        text += std::string(", database: ") + e.what();
    }
    return text;
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::kafka ? "kafka" : "inproc";
}

}  // namespace admit::events::testing

namespace admit::events {
void PrintTo(Backend backend, std::ostream* out) {
    *out << (backend == Backend::kafka ? "kafka" : "inproc");
}
}  // namespace admit::events

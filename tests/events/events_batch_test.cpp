// Batched delivery (EventOptions::delivery_batch), on both backends. Events are published before
// start() so that they are ready together and the first pass takes them as one batch.
#include <map>
#include <thread>

#include "tests/events/event_bus_fixture.hpp"

namespace admit::events::testing {
namespace {

using namespace std::chrono_literals;

class EventBatchTest : public EventBusTest {
  protected:
    EventOptions batch_options() const {
        auto o = options();
        o.workers_per_subscriber = 1;  // every key in one share: one batch holds them all
        o.delivery_batch = 64;
        return o;
    }
    EventId publish(EventBus& bus, const std::string& key, const std::string& payload) {
        return publish_committed(bus, *pool_, "seat", key, payload);
    }
};

TEST_P(EventBatchTest, FailingEventInABatchFallsBackOthersAreHandledOnceItIsRetriedAndParked) {
    auto bus = make_bus({"seat"}, batch_options());
    auto poison = [](const Event& e) { return e.payload == "poison"; };
    ASSERT_TRUE(bus->subscribe({"seat", "s", recording_handler("s", poison)}).ok());
    publish(*bus, "k1", "a1");
    publish(*bus, "k2", "b1");
    const auto poison_id = publish(*bus, "k1", "poison");
    publish(*bus, "k1", "a3");
    publish(*bus, "k2", "b2");
    publish(*bus, "k3", "c1");
    ASSERT_TRUE(bus->start().ok());

    ASSERT_TRUE(wait_until([&] { return bus->stats().parked == 1 && effects("s") == 5; }))
        << describe(*bus);
    bus->stop();

    const auto stats = bus->stats();
    EXPECT_EQ(stats.delivered, 5u) << describe(*bus);
    EXPECT_EQ(stats.retried, 2u);
    EXPECT_EQ(stats.duplicates, 0u);
    if (GetParam() == Backend::inproc) {
        EXPECT_GE(stats.batch_fallbacks, 1u) << describe(*bus);
    }

    // Each committed once (effects has a primary key on the event id); k1 kept its order and
    // "a3" waited until "poison" was parked.
    const auto done = effects_in_order("s");
    std::map<std::string, std::vector<std::string>> per_key;
    for (const auto& [key, payload] : done) per_key[key].push_back(payload);
    EXPECT_EQ(per_key["k1"], (std::vector<std::string>{"a1", "a3"}));
    EXPECT_EQ(per_key["k2"], (std::vector<std::string>{"b1", "b2"}));
    EXPECT_EQ(per_key["k3"], (std::vector<std::string>{"c1"}));
    std::chrono::steady_clock::time_point last_poison{}, a3_committed_call{};
    std::uint32_t max_attempt = 0;
    for (const auto& call : calls("s")) {
        if (call.event.payload == "poison") {
            last_poison = call.at;
            max_attempt = std::max(max_attempt, call.event.attempt);
        }
        if (call.event.payload == "a3") a3_committed_call = call.at;  // the last call commits
    }
    EXPECT_EQ(max_attempt, 3u);
    EXPECT_GT(a3_committed_call, last_poison) << "same key waits for the retried event";

    auto letters = bus->dead_letters();
    ASSERT_TRUE(letters.ok());
    ASSERT_EQ(letters->size(), 1u);
    EXPECT_EQ(letters->at(0).event.id, poison_id);
    EXPECT_EQ(letters->at(0).event.attempt, 3u);
    EXPECT_EQ(sql_value(*pool_, "SELECT count(*) FROM admit.event_handled"), "5");
    EXPECT_EQ(sql_value(*pool_, "SELECT count(*) FROM admit.event_deliveries"), "0");
}

TEST_P(EventBatchTest, AlreadyHandledEventInsideABatchIsSkipped) {
    auto bus = make_bus({"seat"}, batch_options());
    ASSERT_TRUE(bus->subscribe({"seat", "s", recording_handler("s")}).ok());
    std::vector<EventId> ids;
    for (int i = 0; i < 5; ++i)
        ids.push_back(publish(*bus, "k" + std::to_string(i % 2), "e" + std::to_string(i)));
    // As if event 2 had been handled before (a redelivery): its handled id is already recorded.
    sql_value(*pool_, "INSERT INTO admit.event_handled (subscriber, event_id) VALUES ('s', " +
                          std::to_string(ids[2]) + ")");
    ASSERT_TRUE(bus->start().ok());

    ASSERT_TRUE(wait_until([&] { return effects("s") == 4 && bus->stats().duplicates == 1; }))
        << describe(*bus);
    bus->stop();
    for (const auto& call : calls("s")) EXPECT_NE(call.event.id, ids[2]) << "handler skipped";
    const auto stats = bus->stats();
    EXPECT_EQ(stats.delivered, 4u);
    EXPECT_EQ(stats.batch_fallbacks, 0u);
    if (GetParam() == Backend::inproc) {
        EXPECT_GE(stats.batches, 1u) << describe(*bus);
    }
    EXPECT_EQ(successful_calls("s"), 4u);
    EXPECT_EQ(sql_value(*pool_, "SELECT count(*) FROM admit.event_deliveries"), "0");
}

TEST_P(EventBatchTest, EventsOfOneKeyKeepTheirOrderInsideBatches) {
    auto opts = batch_options();
    opts.delivery_batch = 7;  // several batches, each with several events of every key
    auto bus = make_bus({"seat"}, opts);
    ASSERT_TRUE(bus->subscribe({"seat", "s", recording_handler("s")}).ok());
    constexpr int kPerKey = 20;
    const std::vector<std::string> keys = {"k1", "k2", "k3"};
    for (int i = 0; i < kPerKey; ++i) {
        auto lease = pool_->acquire();
        pqxx::work tx(lease->conn());
        for (const auto& key : keys)
            ASSERT_TRUE(bus->publish(tx, "seat", key, std::to_string(i)).ok());
        tx.commit();
    }
    ASSERT_TRUE(bus->start().ok());
    const std::size_t total = kPerKey * keys.size();
    ASSERT_TRUE(wait_until([&] { return effects("s") == total; })) << describe(*bus);
    bus->stop();

    std::map<std::string, int> next;
    for (const auto& [key, payload] : effects_in_order("s")) {
        EXPECT_EQ(std::stoi(payload), next[key]) << "key " << key;
        next[key] = std::stoi(payload) + 1;
    }
    EXPECT_EQ(next.size(), keys.size());
    const auto stats = bus->stats();
    EXPECT_EQ(stats.delivered, total);
    EXPECT_EQ(successful_calls("s"), total) << "no batch rolled back";
    if (GetParam() == Backend::inproc) {
        EXPECT_GE(stats.batches, total / 7) << describe(*bus);
    }
}

// A backlog several passes long: each full pass lets the worker start the next one above a
// floor (DeliveryDispatcher). An event that fails once sits below later passes' rows; the floor
// must stay under it, so it is retried and its key's later events still wait for it.
TEST_P(EventBatchTest, AFloorOverABacklogNeverSkipsARetriedEventOrTheRestOfItsKey) {
    auto opts = batch_options();
    opts.relay_batch = 8;  // passes of 8 rows: the backlog takes many full passes
    opts.delivery_batch = 4;
    auto bus = make_bus({"seat"}, opts);
    auto fails_once = [](const Event& e) { return e.payload == "flaky" && e.attempt == 1; };
    // A handler slower than the relay, as under a sale, so that the queue holds a backlog and the
    // worker's passes come back full.
    auto record = recording_handler("s", fails_once);
    EventHandler slow = [record](pqxx::work& tx, const Event& e, store::CommitHooks& hooks) {
        std::this_thread::sleep_for(std::chrono::microseconds(300));
        return record(tx, e, hooks);
    };
    ASSERT_TRUE(bus->subscribe({"seat", "s", slow}).ok());
    // k1 is short; k2 and k3 keep the passes full for longer than the retry's backoff, so the
    // retried event comes due while the worker is still far above it.
    constexpr int kPerKey = 300;
    constexpr int kFirstKey = 30;
    const std::vector<std::string> keys = {"k1", "k2", "k3"};
    for (int i = 0; i < kPerKey; ++i) {
        auto lease = pool_->acquire();
        pqxx::work tx(lease->conn());
        for (const auto& key : keys) {
            if (key == "k1" && i >= kFirstKey) continue;
            const std::string payload = key == "k1" && i == 5 ? "flaky" : std::to_string(i);
            ASSERT_TRUE(bus->publish(tx, "seat", key, payload).ok());
        }
        tx.commit();
    }
    ASSERT_TRUE(bus->start().ok());
    const std::size_t total = kPerKey * 2 + kFirstKey;
    ASSERT_TRUE(wait_until([&] { return effects("s") == total; })) << describe(*bus);
    bus->stop();

    std::map<std::string, int> next;
    for (const auto& [key, payload] : effects_in_order("s")) {
        const int at = payload == "flaky" ? 5 : std::stoi(payload);
        EXPECT_EQ(at, next[key]) << "key " << key;
        next[key] = at + 1;
    }
    EXPECT_EQ(next["k1"], kFirstKey);
    EXPECT_EQ(next["k2"], kPerKey);
    EXPECT_EQ(bus->stats().retried, 1u) << describe(*bus);
    EXPECT_EQ(bus->stats().parked, 0u);
    EXPECT_EQ(sql_value(*pool_, "SELECT count(*) FROM admit.event_deliveries"), "0");
}

// A worker keeps its floor after a pass that ran everything, not only after a full one (a sale's
// steady stream of short passes walked the dead entries from the bottom every time). A row
// another host queues below that floor (no wake reaches this host; its commits come out of seq
// order) is still delivered, within about a second.
TEST_P(EventBatchTest, ARowQueuedBelowTheFloorByAnotherHostIsStillDelivered) {
    if (GetParam() == Backend::kafka) GTEST_SKIP() << "Kafka delivers without the queue's floor";
    auto opts = batch_options();
    opts.delivery_poll = std::chrono::milliseconds(100);
    auto bus = make_bus({"seat"}, opts);
    ASSERT_TRUE(bus->subscribe({"seat", "s", recording_handler("s")}).ok());
    ASSERT_TRUE(bus->start().ok());
    for (int i = 0; i < 20; ++i) publish_committed(*bus, *pool_, "seat", "k", std::to_string(i));
    ASSERT_TRUE(wait_until([&] { return effects("s") == 20; })) << describe(*bus);
    // Seq 1, below every handled one (theirs are deleted, so it is free), as another host's relay
    // would have taken before this host's rows and committed after them.
    sql_value(
        *pool_,
        "INSERT INTO admit.event_deliveries (seq, subscriber, event_id, topic, key, key_hash, "
        "payload, published_at, next_attempt_at) VALUES (1, 's', 987654321, 'seat', 'k', "
        "hashtext('k'), 'late', now(), now()) RETURNING seq");
    ASSERT_TRUE(wait_until([&] { return effects("s") == 21; })) << describe(*bus);
    bus->stop();
    EXPECT_EQ(effects_in_order("s").back().second, "late");
    EXPECT_EQ(sql_value(*pool_, "SELECT count(*) FROM admit.event_deliveries"), "0");
}

TEST_P(EventBatchTest, BatchOfOneSubscriberDoesNotHoldUpAnother) {
    auto bus = make_bus({"seat"}, batch_options());
    std::atomic<bool> broken{true};
    ASSERT_TRUE(
        bus->subscribe({"seat", "failing",
                        recording_handler("failing", [&](const Event&) { return broken.load(); })})
            .ok());
    ASSERT_TRUE(bus->subscribe({"seat", "fine", recording_handler("fine")}).ok());
    for (int i = 0; i < 10; ++i) publish(*bus, "k" + std::to_string(i % 3), std::to_string(i));
    ASSERT_TRUE(bus->start().ok());
    ASSERT_TRUE(wait_until([&] { return effects("fine") == 10; })) << describe(*bus);
    EXPECT_EQ(effects("failing"), 0u);
    broken = false;  // the three keys' head events are waiting for their retry
    ASSERT_TRUE(wait_until([&] { return effects("failing") + bus->stats().parked == 10; }))
        << describe(*bus);
    bus->stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, EventBatchTest,
                         ::testing::Values(Backend::inproc, Backend::kafka), backend_name);

}  // namespace
}  // namespace admit::events::testing

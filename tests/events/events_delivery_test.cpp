// Delivery semantics of the event bus, on both backends.
#include <atomic>
#include <map>

#include "host/events/background_priority.hpp"
#include "tests/events/event_bus_fixture.hpp"

namespace admit::events::testing {
namespace {

using namespace std::chrono_literals;

TEST_P(EventBusTest, CommittedPublishIsDeliveredToMatchingSubscribers) {
    auto bus = make_bus({"orders.paid", "orders.refunded", "other"});
    ASSERT_TRUE(bus->subscribe({"orders.paid", "exact", recording_handler("exact")}).ok());
    ASSERT_TRUE(bus->subscribe({"orders.*", "prefix", recording_handler("prefix")}).ok());
    ASSERT_TRUE(bus->start().ok());

    const auto id = publish_committed(*bus, *pool_, "orders.paid", "o-1", R"({"n":1})");
    publish_committed(*bus, *pool_, "orders.refunded", "o-1", R"({"n":2})");
    publish_committed(*bus, *pool_, "other", "o-1", R"({"n":3})");

    ASSERT_TRUE(wait_until([&] { return effects("exact") == 1 && effects("prefix") == 2; }))
        << describe(*bus);
    const auto exact = calls("exact");
    ASSERT_EQ(exact.size(), 1u);
    EXPECT_EQ(exact[0].event.id, id);
    EXPECT_EQ(exact[0].event.topic, "orders.paid");
    EXPECT_EQ(exact[0].event.key, "o-1");
    EXPECT_EQ(exact[0].event.payload, R"({"n":1})");
    EXPECT_EQ(exact[0].event.attempt, 1u);
    EXPECT_GT(exact[0].event.published_at_us, 0);
    EXPECT_TRUE(wait_until([&] { return bus->healthy(); })) << describe(*bus);
    bus->stop();
    EXPECT_EQ(effects("exact"), 1u);  // "other" never matched
    EXPECT_EQ(bus->stats().delivered, 3u);
}

TEST_P(EventBusTest, RolledBackPublishIsNeverDelivered) {
    auto bus = make_bus({"seats"});
    ASSERT_TRUE(bus->subscribe({"seats", "s", recording_handler("s")}).ok());
    ASSERT_TRUE(bus->start().ok());
    {
        auto lease = pool_->acquire();
        ASSERT_TRUE(lease.ok());
        pqxx::work tx(lease->conn());
        ASSERT_TRUE(bus->publish(tx, "seats", "k", "rolled-back").ok());
        tx.abort();
    }
    publish_committed(*bus, *pool_, "seats", "k", "committed");
    ASSERT_TRUE(wait_until([&] { return effects("s") == 1; })) << describe(*bus);
    // The committed marker was published after the rolled-back one on the same key: once it is
    // delivered, the rolled-back one would have been too.
    bus->stop();
    const auto seen = calls("s");
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].event.payload, "committed");
    EXPECT_EQ(sql_value(*pool_, "SELECT count(*) FROM admit.event_outbox"), "1");
}

TEST_P(EventBusTest, EventsOfOneKeyArriveInPublishOrderForEverySubscriber) {
    auto bus = make_bus({"stock"});
    ASSERT_TRUE(bus->subscribe({"stock", "a", recording_handler("a")}).ok());
    ASSERT_TRUE(bus->subscribe({"stock", "b", recording_handler("b")}).ok());
    ASSERT_TRUE(bus->start().ok());
    constexpr int kPerKey = 25;
    const std::vector<std::string> keys = {"k1", "k2", "k3", "k4"};
    for (int i = 0; i < kPerKey; ++i) {
        if (i % 5 == 0) {  // some transactions publish several events
            auto lease = pool_->acquire();
            pqxx::work tx(lease->conn());
            for (const auto& key : keys)
                ASSERT_TRUE(bus->publish(tx, "stock", key, std::to_string(i)).ok());
            tx.commit();
        } else {
            for (const auto& key : keys)
                publish_committed(*bus, *pool_, "stock", key, std::to_string(i));
        }
    }
    const std::size_t total = kPerKey * keys.size();
    ASSERT_TRUE(wait_until([&] { return effects("a") == total && effects("b") == total; }))
        << describe(*bus);
    bus->stop();
    for (const std::string subscriber : {"a", "b"}) {
        std::map<std::string, int> last;
        for (const auto& call : calls(subscriber)) {
            const int n = std::stoi(call.event.payload);
            auto [it, fresh] = last.emplace(call.event.key, n);
            if (!fresh) {
                EXPECT_EQ(n, it->second + 1) << subscriber << " key " << call.event.key;
                it->second = n;
            }
        }
        EXPECT_EQ(last.size(), keys.size());
    }
}

TEST_P(EventBusTest, EventsWrittenTogetherKeepTheirOrderAndOnlyACommitDeliversThem) {
    auto bus = make_bus({"stock", "seats"});
    ASSERT_TRUE(bus->subscribe({"stock", "s", recording_handler("s")}).ok());
    ASSERT_TRUE(bus->start().ok());
    const std::string odd_payload = "{\"note\":\"quote \\\" and\\nnewline, \u00e9\"}";
    std::vector<EventBus::Outgoing> together;
    for (int i = 0; i < 10; ++i) {
        for (const std::string key : {"k1", "k2", "k3"})
            together.push_back({"stock", key, std::to_string(i)});
    }
    together.push_back({"stock", "k4", odd_payload});
    {
        auto lease = pool_->acquire();
        ASSERT_TRUE(lease.ok());
        pqxx::work tx(lease->conn());
        std::vector<EventBus::Outgoing> invalid = {{"stock", "k", "1"}, {"sto*", "k", "2"}};
        auto refused = bus->publish_many(tx, invalid);
        ASSERT_FALSE(refused.ok());
        EXPECT_EQ(refused.error().code, "EVENT_INVALID");
        ASSERT_TRUE(
            bus->publish_many(tx, std::vector<EventBus::Outgoing>{{"stock", "k1", "rolled back"}})
                .ok());
        tx.abort();
    }
    {
        auto lease = pool_->acquire();
        ASSERT_TRUE(lease.ok());
        pqxx::work tx(lease->conn());
        ASSERT_TRUE(bus->publish_many(tx, together).ok());
        tx.commit();
    }
    ASSERT_TRUE(wait_until([&] { return effects("s") == together.size(); })) << describe(*bus);
    bus->stop();
    std::map<std::string, int> next;
    for (const auto& call : calls("s")) {
        EXPECT_NE(call.event.payload, "rolled back");
        if (call.event.key == "k4") {
            EXPECT_EQ(call.event.payload, odd_payload);
            continue;
        }
        EXPECT_EQ(std::stoi(call.event.payload), next[call.event.key]++)
            << "key " << call.event.key;
    }
    EXPECT_EQ(next.size(), 3u);
    EXPECT_EQ(sql_value(*pool_, "SELECT count(*) FROM admit.event_outbox"),
              std::to_string(together.size()));
}

TEST_P(EventBusTest, HandlersRunAtTheBackgroundPriority) {
    auto opts = options();
    opts.background_nice = 7;
    auto bus = make_bus({"seats"}, opts);
    std::atomic<int> seen_nice{-100};
    ASSERT_TRUE(bus->subscribe({"seats", "nice",
                                [&](pqxx::work&, const Event&, store::CommitHooks&) -> Status {
                                    seen_nice = this_thread_nice();
                                    return {};
                                }})
                    .ok());
    ASSERT_TRUE(bus->start().ok());
    publish_committed(*bus, *pool_, "seats", "k", "x");
    ASSERT_TRUE(wait_until([&] { return seen_nice.load() != -100; })) << describe(*bus);
    bus->stop();
    EXPECT_EQ(seen_nice.load(), 7);
    EXPECT_EQ(this_thread_nice(), 0) << "the test's own thread is untouched";
}

// An interactive subscription (people watch its effect) keeps the process's priority; the others
// beside it run in the background.
TEST_P(EventBusTest, AnInteractiveSubscriberKeepsRequestPriority) {
    auto opts = options();
    opts.background_nice = 7;
    auto bus = make_bus({"seats"}, opts);
    std::atomic<int> interactive_nice{-100}, background_nice{-100};
    auto recording = [](std::atomic<int>& seen) {
        return [&seen](pqxx::work&, const Event&, store::CommitHooks&) -> Status {
            seen = this_thread_nice();
            return {};
        };
    };
    Subscription watched{"seats", "watched", recording(interactive_nice)};
    watched.interactive = true;
    ASSERT_TRUE(bus->subscribe(std::move(watched)).ok());
    ASSERT_TRUE(bus->subscribe({"seats", "quiet", recording(background_nice)}).ok());
    ASSERT_TRUE(bus->start().ok());
    publish_committed(*bus, *pool_, "seats", "k", "x");
    ASSERT_TRUE(wait_until([&] {
        return interactive_nice.load() != -100 && background_nice.load() != -100;
    })) << describe(*bus);
    bus->stop();
    EXPECT_EQ(interactive_nice.load(), 0);
    EXPECT_EQ(background_nice.load(), 7);
}

TEST_P(EventBusTest, TheRelayWakesTheWorkerThatOwnsEachKey) {
    if (GetParam() == Backend::kafka)
        GTEST_SKIP() << "the Kafka consumer is not woken by the relay";
    auto opts = options();
    opts.workers_per_subscriber = 4;
    opts.delivery_poll = std::chrono::minutes(5);  // only a wake can deliver within the test
    auto bus = make_bus({"seats"}, opts);
    ASSERT_TRUE(bus->subscribe({"seats", "owner", recording_handler("owner")}).ok());
    ASSERT_TRUE(bus->start().ok());
    ASSERT_TRUE(wait_until([&] { return bus->healthy(); }));
    constexpr int kKeys = 24;
    for (int round = 0; round < 2; ++round) {  // the second round finds every worker asleep
        for (int k = 0; k < kKeys; ++k)
            publish_committed(*bus, *pool_, "seats", "key-" + std::to_string(k), "x");
        ASSERT_TRUE(wait_until(
            [&] { return effects("owner") == static_cast<std::size_t>((round + 1) * kKeys); },
            std::chrono::seconds(20)))
            << describe(*bus);
    }
    bus->stop();
}

TEST_P(EventBusTest, RedeliveryIsFilteredByHandledIds) {
    auto bus = make_bus({"pay"});
    ASSERT_TRUE(bus->subscribe({"pay", "once", recording_handler("once")}).ok());
    ASSERT_TRUE(bus->start().ok());
    const auto id = publish_committed(*bus, *pool_, "pay", "p", "charge");
    ASSERT_TRUE(wait_until([&] { return effects("once") == 1; })) << describe(*bus);

    // Simulate redelivery: mark the row unrelayed again, as after a relay crash between handing
    // it to the backend and committing; the relay sends it a second time (Kafka: produced again).
    sql_value(*pool_, "UPDATE admit.event_outbox SET relayed_at = NULL WHERE id = " +
                          std::to_string(id) + " RETURNING pg_notify('admit_events_outbox', '')");
    ASSERT_TRUE(wait_until([&] { return bus->stats().duplicates == 1; })) << describe(*bus);
    bus->stop();
    EXPECT_EQ(successful_calls("once"), 1u);
    EXPECT_EQ(effects("once"), 1u);
    EXPECT_EQ(bus->stats().delivered, 1u);
}

TEST_P(EventBusTest, FailingHandlerIsRetriedWithBackoffThenParkedWithoutBlockingOthers) {
    auto opts = options();
    opts.backoff_initial = 50ms;
    // One event per transaction, so every handler call below is one attempt (a rolled-back batch
    // calls the handler again on its fallback; test_events_batch covers that path).
    opts.delivery_batch = 1;
    auto bus = make_bus({"tickets"}, opts);
    auto poison = [](const Event& e) { return e.payload == "poison"; };
    ASSERT_TRUE(bus->subscribe({"tickets", "picky", recording_handler("picky", poison)}).ok());
    ASSERT_TRUE(bus->subscribe({"tickets", "relaxed", recording_handler("relaxed")}).ok());
    ASSERT_TRUE(bus->start().ok());

    const auto poison_id = publish_committed(*bus, *pool_, "tickets", "k1", "poison");
    publish_committed(*bus, *pool_, "tickets", "k1", "after-poison");
    publish_committed(*bus, *pool_, "tickets", "k2", "other-key");

    ASSERT_TRUE(wait_until([&] { return effects("picky") == 2 && effects("relaxed") == 3; }))
        << describe(*bus);
    bus->stop();

    std::vector<HandlerCall> attempts, after, other;
    for (const auto& call : calls("picky")) {
        if (call.event.payload == "poison") attempts.push_back(call);
        if (call.event.payload == "after-poison") after.push_back(call);
        if (call.event.payload == "other-key") other.push_back(call);
    }
    ASSERT_EQ(attempts.size(), 3u);  // max_attempts
    for (std::size_t i = 0; i < attempts.size(); ++i) EXPECT_EQ(attempts[i].event.attempt, i + 1);
    EXPECT_GE(attempts[1].at - attempts[0].at, 50ms);   // backoff_initial
    EXPECT_GE(attempts[2].at - attempts[1].at, 100ms);  // doubled
    ASSERT_EQ(after.size(), 1u);
    EXPECT_GT(after[0].at, attempts[2].at) << "same key waits for the retried event";
    ASSERT_EQ(other.size(), 1u);
    EXPECT_LT(other[0].at, attempts[2].at) << "other keys are not blocked";

    auto letters = bus->dead_letters();
    ASSERT_TRUE(letters.ok());
    ASSERT_EQ(letters->size(), 1u);
    EXPECT_EQ(letters->at(0).subscriber, "picky");
    EXPECT_EQ(letters->at(0).event.id, poison_id);
    EXPECT_EQ(letters->at(0).event.attempt, 3u);
    EXPECT_NE(letters->at(0).error.find("refused poison"), std::string::npos);
    const auto stats = bus->stats();
    EXPECT_EQ(stats.retried, 2u);
    EXPECT_EQ(stats.parked, 1u);
    EXPECT_EQ(effects("picky"), 2u) << "failed attempts rolled back their writes";
}

TEST_P(EventBusTest, ParkedEventCanBeReplayed) {
    auto bus = make_bus({"refunds"});
    std::atomic<bool> broken{true};
    ASSERT_TRUE(
        bus->subscribe({"refunds", "r",
                        recording_handler("r", [&](const Event&) { return broken.load(); })})
            .ok());
    ASSERT_TRUE(bus->start().ok());
    publish_committed(*bus, *pool_, "refunds", "x", "refund-1");
    ASSERT_TRUE(wait_until([&] { return bus->stats().parked == 1; })) << describe(*bus);
    auto letters = bus->dead_letters();
    ASSERT_TRUE(letters.ok());
    ASSERT_EQ(letters->size(), 1u);

    broken = false;
    ASSERT_TRUE(bus->replay_dead_letter(letters->at(0).id).ok());
    ASSERT_TRUE(wait_until([&] { return effects("r") == 1; })) << describe(*bus);
    EXPECT_EQ(calls("r").back().event.attempt, 1u);
    auto after = bus->dead_letters();
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(after->empty());
    const auto again = bus->replay_dead_letter(letters->at(0).id);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, "NOT_FOUND");
    bus->stop();
}

TEST_P(EventBusTest, SubscribeValidatesAndIsRefusedAfterStart) {
    auto bus = make_bus({"t"});
    EXPECT_FALSE(bus->subscribe({"a*b", "x", recording_handler("x")}).ok());
    EXPECT_FALSE(bus->subscribe({"t", "", recording_handler("x")}).ok());
    ASSERT_TRUE(bus->subscribe({"t", "x", recording_handler("x")}).ok());
    EXPECT_FALSE(bus->subscribe({"t", "x", recording_handler("x")}).ok());
    ASSERT_TRUE(bus->start().ok());
    EXPECT_FALSE(bus->subscribe({"t", "y", recording_handler("y")}).ok());
}

// A pool whose every connection is held by requests is load, not an outage: the relay's and the
// delivery workers' passes find no connection free (POOL_EXHAUSTED), count it as starved, and the
// bus stays healthy (readiness must not take a busy instance out of the balancer). The event
// published meanwhile is delivered once the connections are free.
TEST_P(EventBusTest, APoolHeldByRequestsStarvesTheBusWithoutMakingItUnhealthy) {
    store::PgOptions pg;
    pg.url = database_->url();
    pg.pool_size = 2;
    pg.acquire_timeout = 100ms;
    store::PgPool small(pg);
    const auto opts = options();
    if (kafka_) kafka_->create_topic(opts.kafka.topic_prefix + "seats");
    auto bus = std::make_unique<EventBus>(opts, small);
    ASSERT_TRUE(bus->migrate().ok());
    ASSERT_TRUE(bus->subscribe({"seats", "s", recording_handler("s")}).ok());
    ASSERT_TRUE(bus->start().ok());
    ASSERT_TRUE(wait_until([&] { return bus->healthy(); })) << describe(*bus);
    {
        auto first = small.acquire();
        auto second = small.acquire();
        ASSERT_TRUE(first.ok() && second.ok());
        publish_committed(*bus, *pool_, "seats", "k", "while busy");  // wakes the relay
        ASSERT_TRUE(wait_until([&] { return bus->stats().starved >= 2; })) << describe(*bus);
        EXPECT_TRUE(bus->healthy()) << describe(*bus);
        EXPECT_EQ(effects("s"), 0u);
    }
    ASSERT_TRUE(wait_until([&] { return effects("s") == 1; })) << describe(*bus);
    EXPECT_TRUE(wait_until([&] { return bus->healthy(); })) << describe(*bus);
    bus->stop();
}

INSTANTIATE_TEST_SUITE_P(Backends, EventBusTest, ::testing::Values(Backend::inproc, Backend::kafka),
                         backend_name);

}  // namespace
}  // namespace admit::events::testing

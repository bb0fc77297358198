// Pure helpers of the event bus (no servers needed).
#include <gtest/gtest.h>

#include "host/events/event_sql.hpp"
#include "host/events/event_types.hpp"
#include "host/events/kafka_client.hpp"
#include "host/events/pending_commits.hpp"

namespace admit::events {
namespace {

using namespace std::chrono_literals;

TEST(EventUnits, TopicPatternsMatchExactlyOrByPrefix) {
    EXPECT_TRUE(topic_matches("orders.paid", "orders.paid"));
    EXPECT_FALSE(topic_matches("orders.paid", "orders.paid.late"));
    EXPECT_TRUE(topic_matches("orders.*", "orders.paid"));
    EXPECT_TRUE(topic_matches("orders.*", "orders."));
    EXPECT_FALSE(topic_matches("orders.*", "orders"));
    EXPECT_TRUE(topic_matches("*", "anything"));
}

TEST(EventUnits, BackendNamesParse) {
    EXPECT_EQ(parse_backend("inproc").value(), Backend::inproc);
    EXPECT_EQ(parse_backend("kafka").value(), Backend::kafka);
    const auto bad = parse_backend("rabbit");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, "CONFIG_INVALID_VALUE");
}

TEST(EventUnits, BackoffDoublesUpToTheCap) {
    EventOptions o;
    o.backoff_initial = 100ms;
    o.backoff_max = 350ms;
    EXPECT_EQ(backoff_after(o, 1), 100ms);
    EXPECT_EQ(backoff_after(o, 2), 200ms);
    EXPECT_EQ(backoff_after(o, 3), 350ms);
    EXPECT_EQ(backoff_after(o, 40), 350ms);
}

TEST(EventUnits, TextArrayLiteralEscapesQuotesAndBackslashes) {
    EXPECT_EQ(text_array_literal({}), "{}");
    EXPECT_EQ(text_array_literal({"a", "b\"c", "d\\e", "f,g"}), R"({"a","b\"c","d\\e","f,g"})");
}

TEST(EventUnits, KafkaSubscriptionIsExactNameOrAnchoredRegex) {
    EXPECT_EQ(kafka_subscription("admit.", "orders.paid"), "admit.orders.paid");
    EXPECT_EQ(kafka_subscription("admit.", "orders.*"), R"(^admit\.orders\..*)");
}

TEST(EventUnits, PendingCommitsAreRecordedOnlyWhileARelayListens) {
    PendingCommits pending;
    pending.add("1");
    EXPECT_TRUE(pending.empty());
    int wakes = 0;
    pending.set_waker([&] { ++wakes; });
    pending.add("5");
    pending.add("5");  // same transaction, second event
    pending.add("7");
    EXPECT_EQ(wakes, 3);
    EXPECT_EQ(pending.snapshot(10), (std::vector<std::string>{"5", "7"}));
    pending.forget_finished({"5", "7"}, {"7"});
    EXPECT_EQ(pending.snapshot(10), (std::vector<std::string>{"7"}));
}

TEST(EventUnits, CountersKeepTheMaximumLag) {
    EventCounters c;
    c.observe_lag(30);
    c.observe_lag(10);
    const auto s = snapshot(c);
    EXPECT_EQ(s.last_lag_us, 10);
    EXPECT_EQ(s.max_lag_us, 30);
}

}  // namespace
}  // namespace admit::events

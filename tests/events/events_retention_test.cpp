// Retention of relayed outbox rows, handled ids and replayed dead letters (retention.hpp). It
// works on the database alone, the same for both backends, so it runs on inproc only.
#include "host/events/retention.hpp"
#include "tests/events/event_bus_fixture.hpp"

namespace admit::events::testing {
namespace {

using namespace std::chrono_literals;

class EventRetentionTest : public EventBusTest {
  protected:
    std::string count(const std::string& table, const std::string& where) {
        return sql_value(*pool_, "SELECT count(*) FROM admit." + table + " WHERE " + where);
    }
    // Rows of every kind, each either expired or not for the default retention ages (outbox 1
    // day, handled ids and replayed dead letters 7 days); payloads say which.
    void insert_aged_rows() {
        sql_value(*pool_, R"sql(
INSERT INTO admit.event_outbox (topic, key, payload, published_at, relayed_at) VALUES
  ('t', 'k', 'expired', now() - interval '3 days', now() - interval '2 days'),
  ('t', 'k', 'recent', now() - interval '2 hours', now() - interval '1 hour'),
  ('t', 'k', 'unrelayed', now() - interval '10 days', NULL);
INSERT INTO admit.event_handled (subscriber, event_id, handled_at) VALUES
  ('s', 1001, now() - interval '8 days'), ('s', 1002, now() - interval '6 days'),
  ('s', 1003, now());
INSERT INTO admit.event_dead_letters
  (subscriber, event_id, topic, key, payload, published_at, attempts, error, parked_at,
   replayed_at) VALUES
  ('s', 1, 't', 'k', 'expired', now() - interval '30 days', 3, 'e', now() - interval '30 days',
   now() - interval '8 days'),
  ('s', 2, 't', 'k', 'recent', now() - interval '30 days', 3, 'e', now() - interval '30 days',
   now() - interval '1 day'),
  ('s', 3, 't', 'k', 'unreplayed', now() - interval '30 days', 3, 'e', now() - interval '30 days',
   NULL)
)sql");
    }
};

TEST_P(EventRetentionTest, SweepDeletesOnlyWhatIsOldEnoughInSmallBatches) {
    auto bus = make_bus({});
    insert_aged_rows();
    sql_value(*pool_,
              "INSERT INTO admit.event_handled (subscriber, event_id, handled_at) "
              "VALUES ('s', 1004, now() - interval '9 days')");
    auto opts = options();
    opts.retention_batch = 1;

    auto first = sweep_expired(*pool_, opts);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_TRUE(first->locked);
    EXPECT_EQ(first->outbox, 1u);
    EXPECT_EQ(first->handled, 1u);  // two are expired: one per batch
    EXPECT_EQ(first->dead_letters, 1u);
    auto second = sweep_expired(*pool_, opts);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->outbox, 0u);
    EXPECT_EQ(second->handled, 1u);
    EXPECT_EQ(second->dead_letters, 0u);
    auto third = sweep_expired(*pool_, opts);
    ASSERT_TRUE(third.ok());
    EXPECT_EQ(third->outbox + third->handled + third->dead_letters, 0u);

    EXPECT_EQ(count("event_outbox", "true"), "2");
    EXPECT_EQ(count("event_outbox", "payload = 'expired'"), "0");
    EXPECT_EQ(count("event_handled", "true"), "2");
    EXPECT_EQ(count("event_handled", "event_id IN (1002, 1003)"), "2");
    EXPECT_EQ(count("event_dead_letters", "true"), "2");
    EXPECT_EQ(count("event_dead_letters", "payload = 'expired'"), "0");
}

TEST_P(EventRetentionTest, RelayThreadCleansUpPeriodically) {
    auto opts = options();
    opts.retention_interval = 100ms;
    opts.retention_batch = 2;  // more than one batch per table: steps follow each other at once
    auto bus = make_bus({"t"}, opts);
    ASSERT_TRUE(bus->subscribe({"t", "s", recording_handler("s")}).ok());
    ASSERT_TRUE(bus->start().ok());
    insert_aged_rows();  // while running: the first sweep already happened
    sql_value(*pool_, R"sql(
INSERT INTO admit.event_outbox (topic, key, payload, published_at, relayed_at)
  SELECT 't', 'k', 'expired', now() - interval '3 days', now() - interval '2 days'
  FROM generate_series(1, 5);
INSERT INTO admit.event_handled (subscriber, event_id, handled_at)
  SELECT 's', 100 + n, now() - interval '8 days' FROM generate_series(1, 5) AS n
)sql");
    ASSERT_TRUE(wait_until([&] {
        return count("event_outbox", "payload = 'expired'") == "0" &&
               count("event_handled", "handled_at < now() - interval '7 days'") == "0" &&
               count("event_dead_letters", "payload = 'expired'") == "0";
    })) << describe(*bus);
    // The unrelayed row was relayed and handled, not deleted.
    ASSERT_TRUE(wait_until([&] { return effects("s") == 1; })) << describe(*bus);
    bus->stop();
    EXPECT_EQ(count("event_outbox", "payload IN ('recent', 'unrelayed')"), "2");
    EXPECT_EQ(count("event_handled", "event_id IN (1002, 1003)"), "2");
    EXPECT_EQ(count("event_dead_letters", "payload IN ('recent', 'unreplayed')"), "2");
    EXPECT_GE(bus->stats().cleaned, 13u);  // 6 outbox, 6 handled, 1 dead letter
}

TEST_P(EventRetentionTest, StartRefusesHandledIdsKeptShorterThanOutboxRows) {
    auto opts = options();
    opts.retention_outbox = std::chrono::hours(48);
    opts.retention_handled = std::chrono::hours(24);
    auto bus = make_bus({"t"}, opts);
    ASSERT_TRUE(bus->subscribe({"t", "s", recording_handler("s")}).ok());
    const auto started = bus->start();
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().code, "CONFIG_INVALID_VALUE");
}

INSTANTIATE_TEST_SUITE_P(Backends, EventRetentionTest, ::testing::Values(Backend::inproc),
                         backend_name);

}  // namespace
}  // namespace admit::events::testing

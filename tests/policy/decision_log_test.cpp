// The decision log and shadow runs against a real PostgreSQL: money decisions are always recorded
// with input, output, revision, time and trace id; other policies are sampled; retention deletes
// old rows; the GOLD fee change replayed on recorded decisions reports exactly which decisions
// change and by how much.
#include "host/policy/decision_log.hpp"
#include "host/observe/logging.hpp"
#include "host/policy/policy_engine.hpp"
#include "host/policy/revision_store.hpp"
#include "host/policy/shadow_run.hpp"
#include "host/store/pg_pool.hpp"
#include "host/store/row_sinks.hpp"
#include "host/store/sql_exec.hpp"
#include "tests/support/test_venue.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <fstream>

#ifndef ADMIT_POLICIES_DIR
#error "ADMIT_POLICIES_DIR must name the repository's policies/ folder"
#endif

namespace admit::policy {
namespace {

std::string fees_with_gold(const std::string& gold) {
    std::ifstream in(std::string(ADMIT_POLICIES_DIR) + "/fees.lua");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find("GOLD = 2000, DIAMOND"), 20, "GOLD = " + gold + ", DIAMOND");
    return text;
}

class DecisionLogTest : public ::testing::Test {
  protected:
    void SetUp() override {
        store::PgOptions pg;
        pg.url = storage_.pg_url();
        pg.pool_size = 4;
        pool_ = std::make_unique<store::PgPool>(pg);
        RevisionStore revisions(*pool_, nullptr);
        ASSERT_TRUE(revisions.migrate().ok());
        PolicyOptions options;
        options.dir = ADMIT_POLICIES_DIR;
        engine_ = std::make_unique<PolicyEngine>(options);
        ASSERT_TRUE(engine_->load_all().ok());
    }
    void TearDown() override {
        if (engine_) engine_->set_decision_sink(nullptr);
    }

    std::unique_ptr<DecisionLog> make_log(std::uint32_t sample_per_second) {
        DecisionLogOptions options;
        options.host_id = "test-host";
        options.sample_per_second = sample_per_second;
        auto log = std::make_unique<DecisionLog>(*pool_, options);
        engine_->set_decision_sink(log.get());
        return log;
    }

    std::int64_t count_rows(const std::string& where) {
        store::CollectingRowSink rows;
        auto done = store::execute(
            *pool_, "SELECT count(*) FROM admit.policy_decisions WHERE " + where, {}, &rows);
        EXPECT_TRUE(done.ok());
        return rows.rows.empty() ? -1 : std::stoll(*rows.rows[0][0]);
    }

    admit::testing::IsolatedStorage storage_;
    std::unique_ptr<store::PgPool> pool_;
    std::unique_ptr<PolicyEngine> engine_;
};

TEST_F(DecisionLogTest, MoneyDecisionsAreAlwaysRecordedWithTraceIdOthersAreSampled) {
    auto log = make_log(3);
    {
        observe::LogField trace("trace_id", "trace-abc");
        for (int i = 0; i < 40; ++i) {
            ASSERT_TRUE(
                engine_->evaluate("fees", R"({"kind":"booking","tier":"GOLD","quantity":2})").ok());
            ASSERT_TRUE(
                engine_->evaluate("limits", R"({"scheduleId":"s1","owned":0,"requested":1})").ok());
        }
    }
    ASSERT_TRUE(log->flush().ok());
    EXPECT_EQ(count_rows("policy = 'fees'"), 40);
    // At most 3 per second were sampled; the loop may straddle one second boundary.
    const auto limits = count_rows("policy = 'limits'");
    EXPECT_GE(limits, 3);
    EXPECT_LE(limits, 6);

    auto recent = log->recent("fees", 5, std::nullopt);
    ASSERT_TRUE(recent.ok());
    ASSERT_EQ(recent->size(), 5u);
    const auto& newest = recent->front();
    EXPECT_EQ(newest.trace_id, "trace-abc");
    EXPECT_EQ(newest.revision, engine_->live().at("fees")->revision);
    EXPECT_EQ(boost::json::parse(newest.input_json).at("tier"), "GOLD");
    EXPECT_EQ(boost::json::parse(newest.output_json).at("amount"), 4000);
    EXPECT_FALSE(newest.decided_at.empty());
    EXPECT_EQ(log->recorded(), static_cast<std::uint64_t>(40 + limits));
}

TEST_F(DecisionLogTest, RetentionDeletesOnlyExpiredDecisions) {
    auto log = make_log(0);
    ASSERT_TRUE(engine_->evaluate("fees", R"({"tier":"SILVER","quantity":1})").ok());
    ASSERT_TRUE(engine_->evaluate("fees", R"({"tier":"SILVER","quantity":2})").ok());
    ASSERT_TRUE(log->flush().ok());
    ASSERT_TRUE(store::execute(*pool_,
                               "UPDATE admit.policy_decisions SET decided_at = now() - "
                               "interval '8 days' WHERE input->>'quantity' = '1'",
                               {}, nullptr)
                    .ok());
    auto purged = log->purge_expired();
    ASSERT_TRUE(purged.ok());
    EXPECT_EQ(purged.value(), 1u);
    EXPECT_EQ(count_rows("true"), 1);
    // sample_per_second 0 records no decision of a policy without money or time.
    ASSERT_TRUE(engine_->evaluate("limits", R"({"owned":0,"requested":1})").ok());
    ASSERT_TRUE(log->flush().ok());
    EXPECT_EQ(count_rows("policy = 'limits'"), 0);
}

TEST_F(DecisionLogTest, ShadowOfTheGoldFeeChangeReportsExactlyWhatChanges) {
    auto log = make_log(0);
    // Recorded traffic: 3 GOLD bookings (1, 2 and 4 tickets), 2 SILVER, 1 GOLD transfer.
    const std::vector<std::string> inputs = {
        R"({"kind":"booking","tier":"GOLD","quantity":1})",
        R"({"kind":"booking","tier":"SILVER","quantity":3})",
        R"({"kind":"booking","tier":"GOLD","quantity":2})",
        R"({"kind":"transfer","tier":"GOLD","price":150000})",
        R"({"kind":"booking","tier":"GOLD","quantity":4})",
        R"({"kind":"booking","tier":"SILVER","quantity":1})",
    };
    for (const auto& input : inputs) ASSERT_TRUE(engine_->evaluate("fees", input).ok());
    ASSERT_TRUE(log->flush().ok());

    auto report = shadow_run(*engine_, *log, "fees", fees_with_gold("2500"), 10000, std::nullopt);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->decisions, 6u);
    EXPECT_EQ(report->changed, 3u);
    EXPECT_EQ(report->candidate_fallbacks, 0u);
    ASSERT_EQ(report->fields.size(), 2u);
    const FieldChange& amount = report->fields[0];
    EXPECT_EQ(amount.field, "amount");
    EXPECT_TRUE(amount.money);
    EXPECT_EQ(amount.changed, 3u);
    EXPECT_EQ(amount.total_delta, 500 * (1 + 2 + 4));
    EXPECT_EQ(amount.min_delta, 500);
    EXPECT_EQ(amount.max_delta, 2000);
    EXPECT_EQ(amount.counts.at("+500"), 1u);
    EXPECT_EQ(amount.counts.at("+1000"), 1u);
    EXPECT_EQ(amount.counts.at("+2000"), 1u);
    const FieldChange& per_ticket = report->fields[1];
    EXPECT_EQ(per_ticket.field, "perTicket");
    EXPECT_EQ(per_ticket.changed, 3u);
    EXPECT_EQ(per_ticket.total_delta, 1500);
    // Examples are newest first: the 4-, 2- and 1-ticket GOLD bookings.
    ASSERT_EQ(report->examples.size(), 3u);
    std::vector<std::int64_t> quantities;
    for (const auto& example : report->examples) {
        auto input = boost::json::parse(example.input_json);
        quantities.push_back(input.at("quantity").as_int64());
        EXPECT_EQ(boost::json::parse(example.old_json).at("perTicket"), 2000);
        EXPECT_EQ(boost::json::parse(example.new_json).at("perTicket"), 2500);
    }
    EXPECT_EQ(quantities, (std::vector<std::int64_t>{4, 2, 1}));

    // The limit replays only the newest decisions.
    auto newest_two = shadow_run(*engine_, *log, "fees", fees_with_gold("2500"), 2, std::nullopt);
    ASSERT_TRUE(newest_two.ok());
    EXPECT_EQ(newest_two->decisions, 2u);
    EXPECT_EQ(newest_two->changed, 1u);
}

TEST_F(DecisionLogTest, ShadowOfABrokenCandidateIsRefusedAndFailingCallsAreReported) {
    auto log = make_log(0);
    ASSERT_TRUE(engine_->evaluate("fees", R"({"tier":"GOLD","quantity":1})").ok());
    ASSERT_TRUE(log->flush().ok());
    auto broken = shadow_run(*engine_, *log, "fees", "function decide(", 100, std::nullopt);
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().code, ErrorCode::POLICY_REJECTED);
    // A candidate that fails on the recorded input answers its fallback: reported as changed.
    auto failing = shadow_run(*engine_, *log, "fees", fees_with_gold("-1"), 100, std::nullopt);
    ASSERT_TRUE(failing.ok());
    EXPECT_EQ(failing->candidate_fallbacks, 1u);
    ASSERT_EQ(failing->examples.size(), 1u);
    EXPECT_NE(failing->examples[0].error.find("below its minimum 0"), std::string::npos);
}

TEST_F(DecisionLogTest, AScopedShadowReplaysOnlyWhatThatScopeDecided) {
    auto log = make_log(0);
    auto live = engine_->live().at("fees");
    ASSERT_TRUE(engine_->install("fees@product/p1", fees_with_gold("1500"), "", "test").ok());
    ASSERT_TRUE(
        engine_->evaluate("fees", R"({"tier":"GOLD","quantity":1,"scope":"product/p1/s"})").ok());
    ASSERT_TRUE(engine_->evaluate("fees", R"({"tier":"GOLD","quantity":1})").ok());
    ASSERT_TRUE(log->flush().ok());
    auto recorded = log->recent("fees", 10, std::nullopt, "product/p1");
    ASSERT_TRUE(recorded.ok());
    ASSERT_EQ(recorded->size(), 1u);
    EXPECT_EQ(recorded->front().scope, "product/p1");

    // The p1 variant raised to 1800: only the p1 decision is replayed, and it changes by 300.
    auto scoped =
        shadow_run(*engine_, *log, "fees", fees_with_gold("1800"), 100, std::nullopt, "product/p1");
    ASSERT_TRUE(scoped.ok()) << scoped.error().message;
    EXPECT_EQ(scoped->decisions, 1u);
    ASSERT_EQ(scoped->changed, 1u);
    EXPECT_EQ(scoped->fields.at(0).total_delta, 300);
    // Venue-wide only: the unscoped decision (2000 -> 1800).
    auto venue = shadow_run(*engine_, *log, "fees", fees_with_gold("1800"), 100, std::nullopt, "");
    ASSERT_TRUE(venue.ok());
    EXPECT_EQ(venue->decisions, 1u);
    EXPECT_EQ(venue->fields.at(0).total_delta, -200);
    auto invalid = shadow_run(*engine_, *log, "fees", fees_with_gold("1800"), 100, std::nullopt,
                              "product//p1");
    ASSERT_FALSE(invalid.ok());
    EXPECT_EQ(invalid.error().code, ErrorCode::POLICY_NAME);
}

TEST(ShadowWindow, ParsesDaysHoursMinutesSeconds) {
    EXPECT_EQ(parse_window("1d"), std::chrono::seconds(86400));
    EXPECT_EQ(parse_window("12h"), std::chrono::seconds(43200));
    EXPECT_EQ(parse_window("30m"), std::chrono::seconds(1800));
    EXPECT_EQ(parse_window("45s"), std::chrono::seconds(45));
    EXPECT_FALSE(parse_window("1w"));
    EXPECT_FALSE(parse_window("d"));
    EXPECT_FALSE(parse_window("-1d"));
}

}  // namespace
}  // namespace admit::policy

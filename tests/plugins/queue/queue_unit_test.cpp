// Queue plugin: its pure parts (poll interval, entry token format, shuffle order, line order,
// admission arithmetic, schedule facts) and the plugin under FakeHost (queue.check_entry against
// stub_product's sale contexts, with the entry key from the environment).
#include "admission_math.hpp"
#include "entry_token.hpp"
#include "fairness.hpp"
#include "line_keeper.hpp"
#include "poll_interval.hpp"
#include "schedule_facts.hpp"
#include "update_coalescing.hpp"

#include <admit/testing/fake_host.hpp>

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>

ADMIT_DECLARE_PLUGIN(queue);

namespace {

using namespace admit::queue;
namespace sdk = admit::sdk;

EntryKey key_of(unsigned char fill) {
    EntryKey key{};
    key.fill(fill);
    return key;
}

class QueuePure : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_GE(sodium_init(), 0); }
};

// --- poll interval -------------------------------------------------------------------------

TEST_F(QueuePure, PollIntervalIsOneToTwoSecondsNearTheFront) {
    for (int64_t position : {0, 1, 10, 50}) {
        for (double jitter : {0.0, 0.5, 0.999}) {
            const auto ms = poll_after_ms(position, jitter);
            EXPECT_GE(ms, 1000) << position;
            EXPECT_LE(ms, 2000) << position;
        }
    }
}

TEST_F(QueuePure, PollIntervalGrowsWithThePositionUpToThirtySeconds) {
    int64_t previous = 0;
    for (int64_t position : {51, 200, 500, 1000, 1400}) {
        const auto ms = poll_after_ms(position, 0.0);
        EXPECT_GT(ms, previous) << position;
        previous = ms;
    }
    EXPECT_EQ(poll_after_ms(100000, 0.0), 30000);
    EXPECT_LE(poll_after_ms(100000, 0.999), 30000);
    EXPECT_GE(poll_after_ms(100000, 0.999), 24000);  // jitter: at most 20% below the cap
    EXPECT_NE(poll_after_ms(100000, 0.0), poll_after_ms(100000, 0.9));
}

TEST_F(QueuePure, EtaIsPositionOverRate) {
    EXPECT_EQ(eta_seconds(0, 50), 0);
    EXPECT_EQ(eta_seconds(1, 50), 1);
    EXPECT_EQ(eta_seconds(100, 50), 2);
    EXPECT_EQ(eta_seconds(101, 50), 3);
    EXPECT_EQ(eta_seconds(10, 0), -1);
}

// --- entry token ---------------------------------------------------------------------------

TEST_F(QueuePure, EntryTokenRoundTripsAndIsBoundToUserAndSchedule) {
    const auto key = key_of(7);
    const std::string token = sign_entry_token(key, {"sch_1", "usr_a", "qj_x", 2000});
    EXPECT_TRUE(token.starts_with("qe1."));
    EntryClaims claims;
    EXPECT_EQ(verify_entry_token(key, token, "sch_1", "usr_a", 1999, &claims), EntryVerdict::valid);
    EXPECT_EQ(claims.join_id, "qj_x");
    EXPECT_EQ(claims.expires_at, 2000);
    EXPECT_EQ(verify_entry_token(key, token, "sch_1", "usr_b", 1999), EntryVerdict::wrong_user);
    EXPECT_EQ(verify_entry_token(key, token, "sch_2", "usr_a", 1999), EntryVerdict::wrong_schedule);
    EXPECT_EQ(verify_entry_token(key, token, "sch_1", "usr_a", 2000), EntryVerdict::expired);
}

TEST_F(QueuePure, ForgedOrMalformedEntryTokensAreRefused) {
    const auto key = key_of(7);
    const std::string token = sign_entry_token(key, {"sch_1", "usr_a", "qj_x", 2000});
    // Another key's signature.
    EXPECT_EQ(verify_entry_token(key, sign_entry_token(key_of(8), {"sch_1", "usr_a", "qj_x", 2000}),
                                 "sch_1", "usr_a", 1000),
              EntryVerdict::signature);
    // A payload changed under the original signature (a longer expiry).
    const auto dot = token.rfind('.');
    const std::string forged = "qe1." + base64url("sch_1|usr_a|qj_x|999999") + token.substr(dot);
    EXPECT_EQ(verify_entry_token(key, forged, "sch_1", "usr_a", 1000), EntryVerdict::signature);
    EXPECT_EQ(verify_entry_token(key, "", "sch_1", "usr_a", 1000), EntryVerdict::malformed);
    EXPECT_EQ(verify_entry_token(key, "qe1.abc", "sch_1", "usr_a", 1000), EntryVerdict::malformed);
    EXPECT_EQ(verify_entry_token(key, "Bearer x.y.z", "sch_1", "usr_a", 1000),
              EntryVerdict::malformed);
}

TEST_F(QueuePure, JoinIdsAreStablePerPairAndDistinct) {
    const auto key = key_of(1);
    const auto a = join_id_for(key, "sch_1", "usr_a");
    EXPECT_EQ(a, join_id_for(key, "sch_1", "usr_a"));
    EXPECT_NE(a, join_id_for(key, "sch_1", "usr_b"));
    EXPECT_NE(a, join_id_for(key, "sch_2", "usr_a"));
    EXPECT_NE(a, join_id_for(key_of(2), "sch_1", "usr_a"));
    EXPECT_EQ(a.size(), 3u + 26u);
    EXPECT_TRUE(a.starts_with("qj_"));
}

TEST_F(QueuePure, EntryKeysParseFromBase64) {
    const auto key = key_of(9);
    const std::string text = base64url(std::string(key.begin(), key.end()));
    auto parsed = parse_entry_key(text);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, key);
    EXPECT_FALSE(parse_entry_key("c2hvcnQ=").has_value());  // 5 bytes
    EXPECT_FALSE(parse_entry_key("not base64 !").has_value());
}

// --- fairness ------------------------------------------------------------------------------

TEST_F(QueuePure, CommitmentIsTheSha256OfTheSeed) {
    // SHA-256 of 32 zero bytes, a published test value.
    EXPECT_EQ(commitment_of(std::string(32, '\0')),
              "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
    EXPECT_EQ(new_seed().size(), 32u);
    EXPECT_NE(new_seed(), new_seed());
}

TEST_F(QueuePure, ShuffleKeyIsHmacSha256OfTheJoinIdUnderTheSeed) {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    EXPECT_EQ(shuffle_key("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_F(QueuePure, ShuffledOrderSortsBySeededHmacAndDependsOnTheSeed) {
    std::vector<std::string> ids;
    for (int i = 0; i < 50; ++i) ids.push_back("qj_" + std::to_string(i));
    const std::string seed(32, 'a');
    const auto order = shuffled_order(seed, ids);
    ASSERT_EQ(order.size(), ids.size());
    for (std::size_t i = 1; i < order.size(); ++i)
        EXPECT_LT(shuffle_key(seed, order[i - 1]), shuffle_key(seed, order[i]));
    EXPECT_NE(order, ids);  // 50! orders: the identity would be a broken shuffle
    EXPECT_NE(order, shuffled_order(std::string(32, 'b'), ids));
    auto reversed = ids;
    std::reverse(reversed.begin(), reversed.end());
    EXPECT_EQ(order, shuffled_order(seed, reversed));  // the input order does not matter
}

TEST_F(QueuePure, LineOrderPutsTheShuffledBlockBeforeLaterJoins) {
    const std::string seed(32, 's');
    std::vector<LogRow> rows{{"usr_late2", "qj_l2", false, 12},
                             {"usr_p1", "qj_p1", true, 0},
                             {"usr_late1", "qj_l1", false, 11},
                             {"usr_p2", "qj_p2", true, 0},
                             {"usr_p3", "qj_p3", true, 0}};
    const auto order = line_order(rows, seed, true);
    ASSERT_EQ(order.size(), 5u);
    const auto block = shuffled_order(seed, {"qj_p1", "qj_p2", "qj_p3"});
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(order[i].first, "usr_" + block[i].substr(3)) << i;
        EXPECT_EQ(order[i].second, static_cast<int64_t>(i + 1));
    }
    EXPECT_EQ(order[3], (std::pair<std::string, int64_t>{"usr_late1", 11}));
    EXPECT_EQ(order[4], (std::pair<std::string, int64_t>{"usr_late2", 12}));
    // Before the shuffle, pre-queue places carry no order (score 0).
    for (const auto& [user, score] : line_order(rows, seed, false)) {
        if (user.starts_with("usr_p")) {
            EXPECT_EQ(score, 0);
        }
    }
}

// --- admission arithmetic ------------------------------------------------------------------

boost::json::value decision(int64_t per_second, int64_t cap, int64_t now, double factor = 1.5) {
    return boost::json::value{{"admitPerSecond", per_second},
                              {"activeCap", cap},
                              {"admitNow", now},
                              {"conversionFactor", factor},
                              {"tokenTtlSeconds", 300}};
}

TEST_F(QueuePure, InventoryBoundIsFreePlusExpiringTimesTheFactor) {
    EXPECT_EQ(inventory_bound(10, 2, 1.5), 18);
    EXPECT_EQ(inventory_bound(0, 0, 3.0), 0);
    EXPECT_EQ(inventory_bound(-5, 1, 2.0), 2);
    EXPECT_EQ(inventory_bound(10, 0, 0.0), 0);
}

TEST_F(QueuePure, DecisionNeverAdmitsPastTheInventoryEvenIfThePolicySaysSo) {
    AdmissionInput input;
    input.waiting = 1000;
    input.active = 5;
    input.seats_free = 4;
    input.held = 3;
    input.expiring_soon = 0;
    const auto d = read_decision(decision(50, 500, 50), input);
    EXPECT_EQ(d.inventory_bound, 6);  // floor(4 * 1.5)
    EXPECT_EQ(d.admit_now, 1);        // 6 - 5 active
    EXPECT_FALSE(d.sold_out);
}

TEST_F(QueuePure, DecisionRespectsWaitingAndTheActiveCap) {
    AdmissionInput input;
    input.waiting = 3;
    EXPECT_EQ(read_decision(decision(50, 500, 50), input).admit_now, 3);
    input.waiting = 1000;
    input.active = 498;
    EXPECT_EQ(read_decision(decision(50, 500, 50), input).admit_now, 2);
}

TEST_F(QueuePure, SoldOutOnlyWhenNothingIsFreeOrHeld) {
    AdmissionInput input;
    input.waiting = 10;
    input.seats_free = 0;
    input.held = 2;
    auto d = read_decision(decision(50, 500, 50), input);
    EXPECT_FALSE(d.sold_out);
    EXPECT_EQ(d.admit_now, 0);
    input.held = 0;
    d = read_decision(decision(50, 500, 50), input);
    EXPECT_TRUE(d.sold_out);
    EXPECT_EQ(d.admit_now, 0);
}

TEST_F(QueuePure, AMalformedDecisionAdmitsNobody) {
    AdmissionInput input;
    input.waiting = 10;
    EXPECT_EQ(read_decision(boost::json::value("nonsense"), input).admit_now, 0);
    EXPECT_EQ(
        read_decision(boost::json::parse(R"({"admitNow": -4, "activeCap": 9})"), input).admit_now,
        0);
    const auto ttl = read_decision(boost::json::parse(R"({"tokenTtlSeconds": 1})"), input);
    EXPECT_EQ(ttl.token_ttl_seconds, 30);  // clamped
}

TEST_F(QueuePure, ScheduleFactsCountSeatsOrGradeTotals) {
    auto seats = parse_schedule_facts(boost::json::parse(
        R"({"scheduleId":"s","seating":"RESERVED","queueRequired":true,
            "saleStartsAt":"2026-01-01T00:00:00Z","grades":[{"total":2}],
            "seats":[{"seatId":"a"},{"seatId":"b"},{"seatId":"c"}]})"));
    ASSERT_TRUE(seats.ok());
    EXPECT_EQ(seats->capacity, 3);
    EXPECT_TRUE(seats->queue_required);
    EXPECT_TRUE(seats->sale_starts_us.has_value());
    auto ga = parse_schedule_facts(boost::json::parse(
        R"({"scheduleId":"g","seating":"GENERAL_ADMISSION","grades":[{"total":5},{"total":7}],
            "seats":[]})"));
    ASSERT_TRUE(ga.ok());
    EXPECT_EQ(ga->capacity, 12);
    EXPECT_FALSE(ga->queue_required);
    EXPECT_FALSE(parse_schedule_facts(boost::json::parse("[]")).ok());
}

// --- stream summaries ------------------------------------------------------------------------

std::string summary(int64_t version, std::vector<std::string> admitted, int64_t total) {
    boost::json::array ids;
    for (auto& id : admitted) ids.emplace_back(id);
    return boost::json::serialize(boost::json::object{{"status", "OPEN"},
                                                      {"admitted", std::move(ids)},
                                                      {"admittedTotal", total},
                                                      {"version", version}});
}

std::vector<std::string> admitted_of(const CoalescedUpdate& update) {
    std::vector<std::string> out;
    for (const auto& id : update.message.at("admitted").as_array())
        out.emplace_back(id.as_string());
    return out;
}

TEST_F(QueuePure, SummariesPostedWithinOnePeriodGoOutAsOneWithEveryAdmission) {
    // Two ticks posted 8 and 9 since this host sent 7 (listed out of order: the list's order is
    // not trusted): the message is 9's, with 8's admissions first.
    const std::vector<std::string> stored{summary(7, {"qj_a"}, 1), summary(9, {"qj_d"}, 4),
                                          summary(8, {"qj_b", "qj_c"}, 3)};
    auto update = coalesce_updates(stored, 7, 4);
    ASSERT_TRUE(update.has_value());
    EXPECT_EQ(update->version, 9);
    EXPECT_EQ(update->merged, 2);
    EXPECT_EQ(update->missed, 0);
    EXPECT_EQ(admitted_of(*update), (std::vector<std::string>{"qj_b", "qj_c", "qj_d"}));
    EXPECT_EQ(update->message.at("admittedTotal").as_int64(), 4);
    EXPECT_EQ(update->message.at("version").as_int64(), 9);
    EXPECT_FALSE(coalesce_updates(stored, 9, 4).has_value()) << "nothing new once 9 was sent";
}

TEST_F(QueuePure, AHostsFirstMessageCarriesOnlyTheNewestFewSummaries) {
    std::vector<std::string> stored;
    for (int64_t v = 1; v <= 10; ++v) stored.push_back(summary(v, {"qj_" + std::to_string(v)}, v));
    // A host restarted during the sale: its streams just got their snapshots; the first message
    // merges the newest 3 only (a line it noticed late had no more ticks than that).
    auto first = coalesce_updates(stored, std::nullopt, 3);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->version, 10);
    EXPECT_EQ(first->merged, 3);
    EXPECT_EQ(admitted_of(*first), (std::vector<std::string>{"qj_8", "qj_9", "qj_10"}));
    EXPECT_EQ(first->missed, 0) << "a host that never sent has nothing to miss";
    auto few = coalesce_updates({summary(1, {"qj_a"}, 1)}, std::nullopt, 3);
    ASSERT_TRUE(few.has_value());
    EXPECT_EQ(admitted_of(*few), (std::vector<std::string>{"qj_a"}));
}

TEST_F(QueuePure, SummariesTrimmedBeforeTheHostReadThemAreCounted) {
    const std::vector<std::string> stored{summary(5, {"qj_a"}, 1), summary(6, {"qj_b"}, 2)};
    // This host sent 2; 3 and 4 were trimmed from the list before it read it again.
    auto late = coalesce_updates(stored, 2, 4);
    ASSERT_TRUE(late.has_value());
    EXPECT_EQ(late->missed, 2);
    EXPECT_EQ(late->merged, 2);
    EXPECT_EQ(admitted_of(*late), (std::vector<std::string>{"qj_a", "qj_b"}));
}

TEST_F(QueuePure, SummariesNumberedAnewAfterRedisLostThemAreAllSent) {
    // This host sent 40; Redis lost the line and the versions restarted at 1.
    auto update = coalesce_updates({summary(1, {"qj_x"}, 1), summary(2, {"qj_y"}, 2)}, 40, 1);
    ASSERT_TRUE(update.has_value());
    EXPECT_EQ(update->version, 2);
    EXPECT_EQ(admitted_of(*update), (std::vector<std::string>{"qj_x", "qj_y"}));
}

TEST_F(QueuePure, MalformedSummariesAreSkippedAndAPauseKeepsItsShape) {
    const std::string paused = R"({"status":"PAUSED","admittedTotal":3,"version":12})";
    auto update = coalesce_updates({"not json", R"({"version":"11"})", "[1]", paused}, 10, 4);
    ASSERT_TRUE(update.has_value());
    EXPECT_EQ(update->version, 12);
    EXPECT_EQ(update->merged, 1);
    EXPECT_EQ(update->message.at("status").as_string(), "PAUSED");
    EXPECT_FALSE(update->message.contains("admitted")) << "no summary had a list";
    EXPECT_FALSE(coalesce_updates({"not json"}, std::nullopt, 4).has_value());
    EXPECT_FALSE(coalesce_updates({}, std::nullopt, 4).has_value());
}

// --- the plugin under FakeHost ---------------------------------------------------------------

class QueuePluginTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_GE(sodium_init(), 0);
        key_ = key_of(42);
        const std::string text = base64url(std::string(key_.begin(), key_.end()));
        ::setenv("ADMIT_QUEUE_TEST_KEY", text.c_str(), 1);
        fake_.set_config("queue", {{"entry_key_env", "ADMIT_QUEUE_TEST_KEY"}});
        fake_.set_now_us(2000 * int64_t{1000000});
        fake_.set_db(
            [](const admit::testing::DbCall&) -> sdk::Result<sdk::Rows> { return sdk::Rows{}; });
        ASSERT_TRUE(fake_.load(admit_plugin_descriptor_queue()).ok());
        ASSERT_TRUE(fake_.load_library(STUB_PRODUCT_LIBRARY).ok());
        ASSERT_TRUE(fake_.start_all().ok());
    }
    void TearDown() override { fake_.stop_all(); }

    boost::json::object check(const std::string& schedule, const std::string& user,
                              const std::string& token) {
        auto answer = fake_.call("queue.check_entry",
                                 {{"scheduleId", schedule}, {"userId", user}, {"token", token}});
        EXPECT_TRUE(answer.ok()) << (answer.ok() ? "" : answer.error().message);
        return answer.ok() ? answer->as_object() : boost::json::object{};
    }

    EntryKey key_{};
    admit::testing::FakeHost fake_;
};

TEST_F(QueuePluginTest, AScheduleWithoutTheWaitingRoomNeedsNoToken) {
    const auto answer = check("sch_ga_5", "usr_a", "");
    EXPECT_FALSE(answer.at("required").as_bool());
    EXPECT_TRUE(answer.at("valid").as_bool());
}

TEST_F(QueuePluginTest, AQueuedScheduleChecksTheTokenLocally) {
    const std::string schedule = "sch_ga_5_queued";
    const std::string join = join_id_for(key_, schedule, "usr_a");
    const auto good = sign_entry_token(key_, {schedule, "usr_a", join, 2300});
    EXPECT_TRUE(check(schedule, "usr_a", good).at("valid").as_bool());
    const auto missing = check(schedule, "usr_a", "");
    EXPECT_TRUE(missing.at("required").as_bool());
    EXPECT_FALSE(missing.at("valid").as_bool());
    EXPECT_EQ(missing.at("reason").as_string(), "missing");
    EXPECT_EQ(check(schedule, "usr_b", good).at("reason").as_string(), "wrong_user");
    EXPECT_EQ(check("sch_ga_6_queued", "usr_a", good).at("reason").as_string(), "wrong_schedule");
    const auto expired = sign_entry_token(key_, {schedule, "usr_a", join, 1999});
    EXPECT_EQ(check(schedule, "usr_a", expired).at("reason").as_string(), "expired");
    const auto forged = sign_entry_token(key_of(1), {schedule, "usr_a", join, 2300});
    EXPECT_EQ(check(schedule, "usr_a", forged).at("reason").as_string(), "signature");
}

sdk::RedisReply reply_string(std::string text) {
    sdk::RedisReply r;
    r.type = sdk::RedisReply::Type::string;
    r.str = std::move(text);
    return r;
}
sdk::RedisReply reply_integer(int64_t value) {
    sdk::RedisReply r;
    r.type = sdk::RedisReply::Type::integer;
    r.integer = value;
    return r;
}

TEST_F(QueuePluginTest, AJoinTheLogCannotRecordIsTakenBackAndAnswered503) {
    std::vector<std::vector<std::string>> redis_calls;
    fake_.set_redis([&](const std::vector<std::string>& argv) -> sdk::Result<sdk::RedisReply> {
        redis_calls.push_back(argv);
        if (argv[0] == "EVAL" && argv[1] == "place") {
            // A new place: WAITING, rank 0, is_new, score 5, 1 waiting, not paused, ...
            sdk::RedisReply r;
            r.type = sdk::RedisReply::Type::array;
            r.elements = {reply_string("WAITING"), reply_integer(0), reply_integer(1),
                          reply_integer(5),        reply_integer(1), reply_integer(0),
                          reply_integer(0),        reply_integer(0), reply_integer(50),
                          reply_integer(-1)};
            return r;
        }
        return reply_integer(1);  // EXISTS meta: the line is there; leave: removed
    });
    fake_.set_db([](const admit::testing::DbCall& call) -> sdk::Result<sdk::Rows> {
        if (call.sql.find("FROM queue.schedules WHERE schedule_id") != std::string::npos) {
            sdk::Rows rows;
            rows.columns = {"schedule_id",    "phase",       "seed",
                            "commitment",     "paused",      "rate_override",
                            "sale_starts_us", "shuffled_us", "admit_fence"};
            rows.values = {{"sch_ga_5_queued", "OPEN", std::string(64, '0'), std::string(64, 'c'),
                            "f", std::nullopt, std::nullopt, std::nullopt, "0"}};
            rows.affected = 1;
            return rows;
        }
        if (call.sql.find("INSERT INTO queue.joins") != std::string::npos)
            return sdk::Error::unavailable("the database is down");
        return sdk::Rows{};
    });
    auto response = fake_.request("POST", "/api/v1/schedules/sch_ga_5_queued/queue", "",
                                  admit::testing::TestPrincipal::user("usr_a"));
    EXPECT_EQ(response.status, 503) << response.body;
    EXPECT_NE(response.body.find("DEPENDENCY_UNAVAILABLE"), std::string::npos) << response.body;
    bool retry_after = false;
    for (const auto& [name, value] : response.headers)
        retry_after = retry_after || (name == "Retry-After" && value == "1");
    EXPECT_TRUE(retry_after);
    bool taken_back = false;
    for (const auto& call : redis_calls)
        taken_back = taken_back || (call.size() > 1 && call[0] == "EVAL" && call[1] == "leave");
    EXPECT_TRUE(taken_back) << "a place the log does not hold must not stay in Redis";
}

TEST_F(QueuePluginTest, CheckEntryValidatesItsInput) {
    EXPECT_FALSE(fake_.call("queue.check_entry", boost::json::value("x")).ok());
    EXPECT_FALSE(fake_.call("queue.check_entry", {{"scheduleId", "s"}}).ok());
}

}  // namespace

// Unit tests of the reservation plugin: request validation, time text, the sale-context cache,
// and the hold path under FakeHost with a scripted Redis and PostgreSQL (including the case
// where PostgreSQL refuses a claim that Redis granted, which must be undone in Redis).
#include <gtest/gtest.h>

#include <admit/sdk.hpp>
#include <admit/sdk/time_text.hpp>
#include <admit/testing/fake_host.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "hold_request.hpp"
#include "sale_context.hpp"

ADMIT_DECLARE_PLUGIN(reservation);

namespace admit::reservation {
namespace {

boost::json::object parse_object(std::string_view text) {
    return boost::json::parse(text).as_object();
}

TEST(HoldRequestTest, AcceptsSeatsOrGradeAndQuantity) {
    auto seats =
        parse_hold_request(parse_object(R"({"scheduleId": "sch_1", "seatIds": ["a", "b"]})"));
    ASSERT_TRUE(seats.ok());
    EXPECT_EQ(seats->quantity, 2);
    EXPECT_FALSE(seats->general_admission());
    auto ga = parse_hold_request(
        parse_object(R"({"scheduleId": "sch_1", "gradeId": "g", "quantity": 3})"));
    ASSERT_TRUE(ga.ok());
    EXPECT_TRUE(ga->general_admission());
    EXPECT_EQ(ga->quantity, 3);
}

TEST(HoldRequestTest, RefusalsNameTheField) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({})", "scheduleId"},
        {R"({"scheduleId": "s", "seatIds": "a"})", "seatIds"},
        {R"({"scheduleId": "s", "seatIds": ["a", "a"]})", "seatIds"},
        {R"({"scheduleId": "s", "seatIds": ["a"], "gradeId": "g"})", "gradeId"},
        {R"({"scheduleId": "s", "gradeId": "g", "quantity": 21})", "quantity"},
        {R"({"scheduleId": "s", "gradeId": "g", "quantity": -1})", "quantity"},
        {R"({"scheduleId": "s", "quantity": 1})", "gradeId"},
    };
    for (const auto& [body, field] : cases) {
        auto parsed = parse_hold_request(parse_object(body));
        ASSERT_FALSE(parsed.ok()) << body;
        EXPECT_EQ(parsed.error().status, ADMIT_E_INVALID_ARGUMENT);
        EXPECT_NE(parsed.error().message.find(field), std::string::npos)
            << body << ": " << parsed.error().message;
    }
}

TEST(HoldRequestTest, ChecksSeatsAndGradesAgainstTheSchedule) {
    SaleContext context;
    context.seats["seat_1"] = {"grd_a", "A-1"};
    context.grades["grd_a"] = {"A", 1000, "KRW", 10};
    auto ok = parse_hold_request(parse_object(R"({"scheduleId": "s", "seatIds": ["seat_1"]})"));
    EXPECT_TRUE(check_against(*ok, context).ok());
    auto unknown =
        parse_hold_request(parse_object(R"({"scheduleId": "s", "seatIds": ["seat_2"]})"));
    EXPECT_FALSE(check_against(*unknown, context).ok());
    auto ga = parse_hold_request(
        parse_object(R"({"scheduleId": "s", "gradeId": "grd_a", "quantity": 1})"));
    EXPECT_FALSE(check_against(*ga, context).ok());
    context.general_admission = true;
    EXPECT_TRUE(check_against(*ga, context).ok());
    EXPECT_FALSE(check_against(*ok, context).ok());
}

TEST(TimeTextTest, RoundTripsRfc3339) {
    const auto parsed = admit::sdk::parse_rfc3339("2026-11-21T10:00:00Z");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(admit::sdk::format_rfc3339(*parsed, true), "2026-11-21T10:00:00Z");
    EXPECT_EQ(admit::sdk::parse_rfc3339("2026-11-21T19:00:00+09:00"), parsed);
    EXPECT_EQ(admit::sdk::format_rfc3339(*parsed + 250'000, true), "2026-11-21T10:00:00.250Z");
    EXPECT_FALSE(admit::sdk::parse_rfc3339("2026-11-21 10:00").has_value());
    EXPECT_FALSE(admit::sdk::parse_rfc3339("2026-13-21T10:00:00Z").has_value());
    EXPECT_NE(sdk::new_id("rsv"), sdk::new_id("rsv"));
    EXPECT_EQ(sdk::new_id("rsv").size(), 36u);
}

TEST(SaleContextTest, ParsesTheContractAndCachesPerSchedule) {
    int fetches = 0;
    SaleContextCache cache(
        [&](const std::string& id) -> sdk::Result<boost::json::value> {
            ++fetches;
            if (id == "missing") return sdk::Error::not_found("no schedule");
            return boost::json::parse(
                R"({"scheduleId": "sch_1", "productId": "prd_1", "productStatus": "ON_SALE",
                "seating": "GENERAL_ADMISSION", "saleStartsAt": "2026-01-01T00:00:00Z",
                "grades": [{"gradeId": "g", "name": "G", "price": {"amount": 5, "currency": "KRW"}, "total": 7}],
                "seats": []})");
        },
        std::chrono::seconds(60));
    auto first = cache.get("sch_1");
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE((*first)->general_admission);
    EXPECT_EQ((*first)->grades.at("g").total, 7);
    EXPECT_FALSE((*first)->on_sale(*admit::sdk::parse_rfc3339("2025-12-31T23:59:59Z")));
    EXPECT_TRUE((*first)->on_sale(*admit::sdk::parse_rfc3339("2026-01-01T00:00:00Z")));
    ASSERT_TRUE(cache.get("sch_1").ok());
    EXPECT_EQ(cache.get("missing").status(), ADMIT_E_NOT_FOUND);
    EXPECT_EQ(cache.get("missing").status(), ADMIT_E_NOT_FOUND);
    EXPECT_EQ(fetches, 2);
}

// Issue 13: a hold on an unpublished product's schedule is 404 for buyers (hold_service.cpp).
TEST(SaleContextTest, OnlyAPublicProductsScheduleIsPublished) {
    auto context = [](const char* status) {
        std::string text = R"({"scheduleId": "sch_1", "productId": "prd_1", "sellerId": "usr_s",
            "seating": "RESERVED", "grades": [], "seats": [])";
        if (status != nullptr) text += std::string(R"(, "productStatus": ")") + status + "\"";
        auto parsed = parse_sale_context(boost::json::parse(text + "}"));
        EXPECT_TRUE(parsed.ok());
        return *parsed;
    };
    for (const char* hidden : {"DRAFT", "PENDING", "APPROVED", "CANCELLED"})
        EXPECT_FALSE(context(hidden).published()) << hidden;
    for (const char* shown : {"SCHEDULED", "ON_SALE", "CLOSED", "COMPLETED"})
        EXPECT_TRUE(context(shown).published()) << shown;
    EXPECT_TRUE(context(nullptr).published()) << "no status: as before, the sale window decides";
    EXPECT_EQ(context("DRAFT").seller_id, "usr_s");
}

TEST(SaleContextTest, AnExpiredContextIsServedWhileAnotherCallerRefreshesIt) {
    std::atomic<int> fetches{0};
    std::promise<void> refresh_started;
    std::promise<void> finish_refresh;
    auto finish = finish_refresh.get_future().share();
    SaleContextCache cache(
        [&](const std::string&) -> sdk::Result<boost::json::value> {
            if (fetches.fetch_add(1) == 1) {  // the refresh: slow until the test lets it finish
                refresh_started.set_value();
                finish.wait();
            }
            return boost::json::parse(
                R"({"scheduleId": "sch_1", "productId": "prd_1", "productStatus": "ON_SALE",
                "seating": "GENERAL_ADMISSION", "grades": [], "seats": []})");
        },
        std::chrono::milliseconds(1));
    auto first = cache.get("sch_1");
    ASSERT_TRUE(first.ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // expire it (ttl 1 ms)
    auto refresher = std::async(std::launch::async, [&] { return cache.get("sch_1"); });
    refresh_started.get_future().wait();
    auto during = cache.get("sch_1");  // must not wait for the refresh
    ASSERT_TRUE(during.ok());
    EXPECT_EQ(during->get(), first->get()) << "the expired context answers during the refresh";
    finish_refresh.set_value();
    auto refreshed = refresher.get();
    ASSERT_TRUE(refreshed.ok());
    EXPECT_NE(refreshed->get(), first->get());
    EXPECT_EQ(fetches.load(), 2);
}

TEST(SaleContextTest, MadeUpScheduleIdsCannotGrowTheCacheWithoutBound) {
    SaleContextCache cache(
        [](const std::string& id) -> sdk::Result<boost::json::value> {
            if (id != "sch_real") return sdk::Error::not_found("no schedule " + id);
            return boost::json::parse(
                R"({"scheduleId": "sch_real", "productId": "prd_1", "productStatus": "ON_SALE",
                "seating": "GENERAL_ADMISSION", "grades": [], "seats": []})");
        },
        std::chrono::seconds(60), /*max_unknown=*/100);
    ASSERT_TRUE(cache.get("sch_real").ok());
    for (int i = 0; i < 10'000; ++i)
        EXPECT_EQ(cache.get("sch_fake_" + std::to_string(i)).status(), ADMIT_E_NOT_FOUND);
    EXPECT_LE(cache.size(), 101u);
    ASSERT_TRUE(cache.get("sch_real").ok()) << "known schedules stay";
}

TEST(SaleContextTest, ASlowScheduleDoesNotHoldUpAnother) {
    std::promise<void> slow_started;
    std::promise<void> release_slow;
    auto release = release_slow.get_future().share();
    SaleContextCache cache(
        [&](const std::string& id) -> sdk::Result<boost::json::value> {
            if (id == "sch_slow") {
                slow_started.set_value();
                release.wait();
            }
            return boost::json::parse(std::string(R"({"scheduleId": ")") + id +
                                      R"(", "productId": "prd_1", "productStatus": "ON_SALE",
                "seating": "GENERAL_ADMISSION", "grades": [], "seats": []})");
        },
        std::chrono::seconds(60));
    auto slow = std::async(std::launch::async, [&] { return cache.get("sch_slow"); });
    slow_started.get_future().wait();
    auto fast = std::async(std::launch::async, [&] { return cache.get("sch_fast"); });
    // The fast schedule's first fetch completes while the slow one is still held.
    ASSERT_EQ(fast.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_TRUE(fast.get().ok());
    release_slow.set_value();
    EXPECT_TRUE(slow.get().ok());
}

TEST(SaleContextTest, TheSaleWindowDecidesWhileTheStatusMoveIsPending) {
    auto context = [](const char* status) {
        return parse_sale_context(
            boost::json::parse(std::string(R"({"scheduleId": "sch_1", "productId": "prd_1",
            "productStatus": ")") +
                               status + R"(", "seating": "GENERAL_ADMISSION",
            "saleStartsAt": "2026-01-01T00:00:00Z", "saleEndsAt": "2026-02-01T00:00:00Z",
            "grades": [{"gradeId": "g", "name": "G", "price": {"amount": 5, "currency": "KRW"}, "total": 7}],
            "seats": []})"));
    };
    auto scheduled = context("SCHEDULED");
    ASSERT_TRUE(scheduled.ok());
    EXPECT_FALSE(scheduled->on_sale(*admit::sdk::parse_rfc3339("2025-12-31T23:59:59Z")));
    EXPECT_TRUE(scheduled->on_sale(*admit::sdk::parse_rfc3339("2026-01-01T00:00:00Z")));
    EXPECT_FALSE(scheduled->on_sale(*admit::sdk::parse_rfc3339("2026-02-01T00:00:00Z")));
    for (const char* status : {"PENDING", "DRAFT", "CLOSED", "CANCELLED"}) {
        auto other = context(status);
        ASSERT_TRUE(other.ok());
        EXPECT_FALSE(other->on_sale(*admit::sdk::parse_rfc3339("2026-01-15T00:00:00Z"))) << status;
    }
}

// --- the plugin under FakeHost ---------------------------------------------------------------

sdk::RedisReply str(std::string text) {
    sdk::RedisReply r;
    r.type = sdk::RedisReply::Type::string;
    r.str = std::move(text);
    return r;
}
sdk::RedisReply integer(int64_t value) {
    sdk::RedisReply r;
    r.type = sdk::RedisReply::Type::integer;
    r.integer = value;
    return r;
}
sdk::RedisReply array(std::vector<sdk::RedisReply> items) {
    sdk::RedisReply r;
    r.type = sdk::RedisReply::Type::array;
    r.elements = std::move(items);
    return r;
}
sdk::Rows rows(std::vector<std::string> columns,
               std::vector<std::vector<std::optional<std::string>>> values) {
    sdk::Rows out;
    out.columns = std::move(columns);
    out.values = std::move(values);
    out.affected = out.values.size();
    return out;
}

class ReservationPluginTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fake_.set_now_us(*admit::sdk::parse_rfc3339("2026-11-21T10:00:00Z"));
        fake_.set_policy("expiry",
                         [](const boost::json::value&) -> sdk::Result<boost::json::value> {
                             return boost::json::parse(R"({"holdSeconds": 300})");
                         });
        fake_.set_policy("limits",
                         [](const boost::json::value&) -> sdk::Result<boost::json::value> {
                             return boost::json::parse(R"({"maxPerUser": 4})");
                         });
        fake_.set_policy(
            "fees", [](const boost::json::value& in) -> sdk::Result<boost::json::value> {
                return boost::json::value{{"amount", 1000 * in.at("quantity").as_int64()}};
            });
        fake_.set_redis(
            [this](const std::vector<std::string>& argv) -> sdk::Result<sdk::RedisReply> {
                redis_calls_.push_back(argv);
                if (argv[0] == "GET") return str("1");  // the fencing epoch exists
                if (argv[0] == "EVAL" && argv[1] == "hold") return hold_reply_;
                return integer(1);
            });
        fake_.set_db([this](const admit::testing::DbCall& call) -> sdk::Result<sdk::Rows> {
            if (call.sql.find("INSERT INTO reservation.reservations") != std::string::npos) {
                const auto batch = boost::json::parse(*call.params[0]).as_array();
                std::vector<std::vector<std::optional<std::string>>> ids;
                for (const auto& r : batch) ids.push_back({std::string(r.at("id").as_string())});
                return rows({"id"}, ids);
            }
            if (call.sql.find("INSERT INTO reservation.claims") != std::string::npos) {
                if (!postgres_accepts_claims_) return rows({"reservation_id"}, {});
                const auto claims = boost::json::parse(*call.params[0]).as_array();
                std::vector<std::vector<std::optional<std::string>>> ids;
                for (const auto& c : claims)
                    ids.push_back({std::string(c.at("reservation_id").as_string())});
                return rows({"reservation_id"}, ids);
            }
            if (call.sql.find("DELETE") != std::string::npos) undone_ = true;
            return rows({}, {});
        });
        ASSERT_TRUE(fake_.load(admit_plugin_descriptor_reservation()).ok());
        ASSERT_TRUE(fake_.load_library(STUB_PRODUCT_LIBRARY).ok());
        ASSERT_TRUE(fake_.start_all().ok());
    }
    void TearDown() override { fake_.stop_all(); }

    admit::testing::FakeResponse hold(std::string_view body) {
        return fake_.request("POST", "/api/v1/reservations", body,
                             admit::testing::TestPrincipal::user("usr_1"));
    }
    bool released_in_redis() const {
        for (const auto& call : redis_calls_) {
            if (call.size() > 1 && call[0] == "EVAL" && call[1] == "release") return true;
        }
        return false;
    }

    admit::testing::FakeHost fake_;
    sdk::RedisReply hold_reply_ = array({str("OK"), integer(1), integer(42)});
    bool postgres_accepts_claims_ = true;
    bool undone_ = false;
    std::vector<std::vector<std::string>> redis_calls_;
};

TEST_F(ReservationPluginTest, AGrantedHoldIsWrittenAndAnswered201) {
    auto r = hold(R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_1", "seat_3"]})");
    ASSERT_EQ(r.status, 201) << r.body;
    auto body = r.json().as_object();
    EXPECT_EQ(body.at("status"), "PENDING_PAYMENT");
    EXPECT_EQ(body.at("price").at("subtotal").at("amount"), 250000);
    EXPECT_EQ(body.at("price").at("fees").at("amount"), 2000);
    EXPECT_EQ(body.at("expiresAt"), "2026-11-21T10:05:00Z");
    EXPECT_FALSE(released_in_redis());
    ASSERT_EQ(fake_.committed_events().size(), 1u);
}

TEST_F(ReservationPluginTest, AClaimRefusedByPostgresIsUndoneInRedisAndAnswered409) {
    postgres_accepts_claims_ = false;
    auto r = hold(R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_1"]})");
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.json().at("code"), "SEAT_TAKEN");
    EXPECT_TRUE(undone_);
    EXPECT_TRUE(released_in_redis());
    EXPECT_TRUE(fake_.committed_events().empty());
}

TEST_F(ReservationPluginTest, RedisVerdictsBecomeApiErrors) {
    hold_reply_ = array({str("TAKEN"), integer(1)});
    auto taken = hold(R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_1"]})");
    EXPECT_EQ(taken.status, 409);
    EXPECT_EQ(taken.json().at("code"), "SEAT_TAKEN");
    hold_reply_ = array({str("SOLD_OUT"), integer(0)});
    auto sold_out = hold(R"({"scheduleId": "sch_ga_10", "gradeId": "grd_ga", "quantity": 1})");
    EXPECT_EQ(sold_out.json().at("code"), "SOLD_OUT");
    hold_reply_ = array({str("LIMIT"), integer(4)});
    auto limit = hold(R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_1"]})");
    EXPECT_EQ(limit.status, 422);
    EXPECT_EQ(limit.json().at("code"), "LIMIT_EXCEEDED");
}

// limits.lua's hoarding bound reaches the hold script (the same EVAL, no extra round trip), and
// the script's HOARD verdict is 422 LIMIT_EXCEEDED.
TEST_F(ReservationPluginTest, TheHoldsPerWindowBoundGoesIntoTheHoldScriptAndItsVerdictIs422) {
    fake_.set_policy("limits", [](const boost::json::value&) -> sdk::Result<boost::json::value> {
        return boost::json::parse(
            R"({"maxPerUser": 4, "maxHoldsPerWindow": 3, "holdWindowSeconds": 600})");
    });
    hold_reply_ = array({str("HOARD"), integer(3)});
    auto refused = hold(R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_1"]})");
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(refused.json().at("code"), "LIMIT_EXCEEDED");
    EXPECT_NE(refused.body.find("at most 3 holds per buyer"), std::string::npos) << refused.body;
    std::vector<std::string> eval;
    int evals = 0;
    for (const auto& call : redis_calls_) {
        if (call.size() > 1 && call[0] == "EVAL" && call[1] == "hold") {
            eval = call;
            ++evals;
        }
    }
    ASSERT_EQ(evals, 1) << "one script call decides the hold and the bound";
    ASSERT_EQ(eval[2], "7") << "6 fixed keys and one seat key";
    EXPECT_EQ(eval[8], "reservation:sch_seats_10:made:usr_1");
    ASSERT_EQ(eval.size(), 3u + 7u + 9u);
    EXPECT_EQ(eval[eval.size() - 2], "3");
    EXPECT_EQ(eval[eval.size() - 1], "600000");
    EXPECT_TRUE(fake_.committed_events().empty());
}

TEST_F(ReservationPluginTest, NotOnSaleAndUnknownSchedulesNeverReachRedis) {
    auto closed = hold(R"({"scheduleId": "sch_closed_10", "seatIds": ["seat_1"]})");
    EXPECT_EQ(closed.status, 422);
    EXPECT_EQ(closed.json().at("code"), "NOT_ON_SALE");
    EXPECT_EQ(hold(R"({"scheduleId": "sch_unknown", "seatIds": ["seat_1"]})").status, 404);
    EXPECT_EQ(hold(R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_11"]})").status, 400);
    for (const auto& call : redis_calls_) EXPECT_FALSE(call[0] == "EVAL" && call[1] == "hold");
}

TEST_F(ReservationPluginTest, AnonymousCallersAreRefused) {
    auto r = fake_.request("POST", "/api/v1/reservations",
                           R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_1"]})");
    EXPECT_EQ(r.status, 401);
}

}  // namespace
}  // namespace admit::reservation

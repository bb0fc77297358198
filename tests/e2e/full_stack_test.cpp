// The whole platform through one real admitd with the real plugins (auth, arthall, product,
// reservation) and real PostgreSQL and Redis: accounts and tokens, a generated stage, a product
// that goes on sale at its sale start, holds that never double-sell, the seat map following the
// holds, confirmation, and a customer who cannot see another's reservation.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <thread>

#include "tests/support/admitd_process.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {
namespace {

using Headers = std::map<std::string, std::string>;

boost::json::value json_of(const HttpResult& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    return ec ? boost::json::value{} : v;
}

class FullStack : public ::testing::Test {
  protected:
    void SetUp() override {
        venue_ = write_temp_file(
            "venue.toml", venue_toml({.plugins = {"auth", "arthall", "product", "reservation"},
                                      .manual_clock = true},
                                     &storage_));
        // The first admin comes from the one-shot command, never from a default password.
        auto created = run_command(ADMIT_ADMITD_BINARY,
                                   {"--config", venue_.string(), "admin", "create", "--email",
                                    "root@admit.test", "--password-env", "ADMIT_E2E_ADMIN_PW"},
                                   std::chrono::seconds(120));
        ASSERT_EQ(created.status, 0) << created.output;
        admitd_ = std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", venue_.string()});
        auto port = admitd_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << admitd_->log();
        port_ = *port;
    }

    HttpResult call(const std::string& method, const std::string& path,
                    const std::string& token = "", const std::string& body = "",
                    Headers extra = {}) {
        Headers h = std::move(extra);
        if (!token.empty()) h["Authorization"] = "Bearer " + token;
        if (!body.empty()) h["Content-Type"] = "application/json";
        return http_request(port_, method, "/api/v1" + path, body, h);
    }

    std::string account(const std::string& email, const std::string& role) {
        // A self-registered seller sells once an admin approved it.
        auto signup = sign_up_approved(port_, email, role, "root@admit.test", "root-password-e2e");
        EXPECT_EQ(signup.status, 201) << signup.body;
        return login(email, "long-enough-pw");
    }
    std::string login(const std::string& email, const std::string& password) {
        auto r = call("POST", "/auth/login", "",
                      R"({"email":")" + email + R"(","password":")" + password + "\"}");
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(json_of(r).at("accessToken").as_string());
    }

    std::string seat_status(const std::string& schedule, const std::string& seat_id) {
        auto r = call("GET", "/schedules/" + schedule + "/seats");
        if (r.status != 200) return "HTTP " + std::to_string(r.status);
        auto map = json_of(r).as_object();
        for (const auto& seat : map.at("seats").as_array()) {
            const auto& s = seat.as_array();
            if (s.at(0).as_string() == seat_id) return std::string(s.at(5).as_string());
        }
        return "absent";
    }
    std::string await_seat_status(const std::string& schedule, const std::string& seat_id,
                                  const std::string& want) {
        std::string status;
        for (int i = 0; i < 200; ++i) {
            status = seat_status(schedule, seat_id);
            if (status == want) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return status;
    }

    IsolatedStorage storage_;
    std::filesystem::path venue_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

TEST_F(FullStack, FromSignupToAConfirmedSeatWithoutDoubleSelling) {
    auto admin = login("root@admit.test", "root-password-e2e");
    auto seller = account("seller@e2e.test", "seller");
    auto alice = account("alice@e2e.test", "customer");
    auto bob = account("bob@e2e.test", "customer");
    EXPECT_EQ(call("GET", "/auth/me", alice).status, 200);

    auto hall = call("POST", "/halls", seller, R"({"name":"E2E Hall"})");
    ASSERT_EQ(hall.status, 201) << hall.body;
    auto hall_id = std::string(json_of(hall).at("hallId").as_string());
    auto stage = call(
        "POST", "/halls/" + hall_id + "/stages", seller,
        R"({"name":"Main","layout":{"sections":[{"name":"A","rows":2,"seatsPerRow":5,"grade":"R"}]}})");
    ASSERT_EQ(stage.status, 201) << stage.body;
    auto stage_id = std::string(json_of(stage).at("stageId").as_string());

    // Sale starts one minute from the (manual) host clock.
    auto now_us = json_of(call("POST", "/admin/clock", admin, R"({"advanceSeconds":0})"))
                      .at("nowUs")
                      .as_int64();
    auto rfc3339 = [](int64_t us) {
        std::time_t t = us / 1000000;
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return std::string(buf);
    };
    std::string product_body =
        R"({"title":"E2E Night","category":"CONCERT","stageId":")" + stage_id +
        R"(","saleStartsAt":")" + rfc3339(now_us + 60'000'000) + R"(","saleEndsAt":")" +
        rfc3339(now_us + 86'400'000'000LL) +
        R"(","grades":[{"name":"R","price":{"amount":100000,"currency":"KRW"}}],)" +
        R"("schedules":[{"startsAt":")" + rfc3339(now_us + 2 * 86'400'000'000LL) + "\"}]}";
    auto product = call("POST", "/products", seller, product_body);
    ASSERT_EQ(product.status, 201) << product.body;
    auto product_id = std::string(json_of(product).at("productId").as_string());
    EXPECT_EQ(call("POST", "/products", alice, product_body).status, 403);  // customers cannot sell

    ASSERT_EQ(call("POST", "/products/" + product_id + "/submit", seller).status, 200);
    auto approved = call("POST", "/products/" + product_id + "/approve", admin);
    ASSERT_EQ(approved.status, 200) << approved.body;
    auto schedule_id =
        std::string(json_of(approved).at("schedules").at(0).at("scheduleId").as_string());

    // Not on sale yet.
    auto seats = json_of(call("GET", "/schedules/" + schedule_id + "/seats"));
    auto seat_a = std::string(seats.at("seats").at(0).at(0).as_string());
    auto seat_b = std::string(seats.at("seats").at(1).at(0).as_string());
    auto early = call("POST", "/reservations", alice,
                      R"({"scheduleId":")" + schedule_id + R"(","seatIds":[")" + seat_a + "\"]}");
    EXPECT_EQ(early.status, 422) << early.body;
    EXPECT_EQ(json_of(early).at("code"), "NOT_ON_SALE");

    // At sale start the product goes on sale (a host job, driven by the clock).
    ASSERT_EQ(call("POST", "/admin/clock", admin, R"({"advanceSeconds":61})").status, 200);
    std::string status;
    for (int i = 0; i < 200 && status != "ON_SALE"; ++i) {
        status =
            std::string(json_of(call("GET", "/products/" + product_id)).at("status").as_string());
        if (status != "ON_SALE") std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ASSERT_EQ(status, "ON_SALE");

    std::string hold_body = R"({"scheduleId":")" + schedule_id + R"(","seatIds":[")" + seat_a +
                            R"(",")" + seat_b + "\"]}";
    auto held = call("POST", "/reservations", alice, hold_body, {{"Idempotency-Key", "alice-1"}});
    ASSERT_EQ(held.status, 201) << held.body;
    auto reservation = json_of(held).as_object();
    EXPECT_EQ(reservation.at("status"), "PENDING_PAYMENT");
    auto reservation_id = std::string(reservation.at("reservationId").as_string());
    // 2 x 100000 + the booking fee of a tier-less customer (0).
    EXPECT_EQ(reservation.at("price").at("total").at("amount"), 200000);

    auto replay = call("POST", "/reservations", alice, hold_body, {{"Idempotency-Key", "alice-1"}});
    EXPECT_EQ(replay.status, 201);
    EXPECT_EQ(json_of(replay).at("reservationId").as_string(), reservation_id);

    auto taken = call("POST", "/reservations", bob,
                      R"({"scheduleId":")" + schedule_id + R"(","seatIds":[")" + seat_b + "\"]}");
    EXPECT_EQ(taken.status, 409);
    EXPECT_EQ(json_of(taken).at("code"), "SEAT_TAKEN");
    EXPECT_EQ(await_seat_status(schedule_id, seat_a, "HELD"), "HELD");

    // Bob cannot see or release Alice's reservation.
    auto peek = call("GET", "/reservations/" + reservation_id, bob);
    EXPECT_EQ(peek.status, 404) << peek.body;  // another's reservation does not exist for Bob
    auto release = call("DELETE", "/reservations/" + reservation_id, bob);
    EXPECT_EQ(release.status, 404) << release.body;

    // Payment approved (the confirm service stands in for the payment plugin).
    auto confirmed =
        run_command(ADMIT_ADMITD_BINARY,
                    {"--config", venue_.string(), "call", "reservation.confirm",
                     R"({"reservationId":")" + reservation_id + R"(","paymentId":"pay-e2e-1"})"},
                    std::chrono::seconds(120));
    ASSERT_EQ(confirmed.status, 0) << confirmed.output;
    auto mine = call("GET", "/reservations/" + reservation_id, alice);
    ASSERT_EQ(mine.status, 200);
    EXPECT_EQ(json_of(mine).at("status"), "CONFIRMED");
    EXPECT_EQ(await_seat_status(schedule_id, seat_a, "SOLD"), "SOLD");
}

// Abuse of business flows (issue 13, API6): a self-registered seller creates nothing until an
// admin approved it; after the approval its next login sells.
TEST_F(FullStack, ASelfRegisteredSellerCreatesHallsAndProductsOnlyOnceApproved) {
    auto signup = call("POST", "/auth/signup", "",
                       R"({"email":"eager@e2e.test","password":"long-enough-pw","name":"E",)"
                       R"("role":"seller"})");
    ASSERT_EQ(signup.status, 201) << signup.body;
    EXPECT_EQ(json_of(signup).at("sellerStatus"), "PENDING");
    auto pending = login("eager@e2e.test", "long-enough-pw");
    EXPECT_EQ(call("POST", "/halls", pending, R"({"name":"Too Early Hall"})").status, 403);
    EXPECT_EQ(call("POST", "/products", pending, R"({"title":"Too early"})").status, 403);

    auto approved = approve_seller(port_, signup, login("root@admit.test", "root-password-e2e"));
    ASSERT_EQ(approved.status, 200) << approved.body;
    EXPECT_EQ(call("GET", "/auth/me", pending).status, 401)
        << "the approval stops the tokens that carried the customer role";
    auto seller = login("eager@e2e.test", "long-enough-pw");
    EXPECT_EQ(call("POST", "/halls", seller, R"({"name":"Approved Hall"})").status, 201);
}

}  // namespace
}  // namespace admit::testing

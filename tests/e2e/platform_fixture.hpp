// The whole platform for end-to-end tests: one admitd with the real plugins, real PostgreSQL and
// Redis, admit-pay-sim as the payment provider, a root admin, and the calls every journey makes
// (accounts, a product on sale, a hold that waits for the sale to open).
#pragma once

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/plugins/toss/paysim_fixture.hpp"
#include "tests/support/admitd_process.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {

using Headers = std::map<std::string, std::string>;
using paysim::testing::PaySim;

inline boost::json::value json_of(const HttpResult& r) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    return ec ? boost::json::value{} : v;
}

inline std::string rfc3339(int64_t us) {
    std::time_t t = us / 1000000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Polls `probe` every 25 ms for up to 10 s until it returns `want`; returns the last value.
template <typename Probe>
auto await(Probe probe, const decltype(probe())& want) {
    auto value = probe();
    for (int i = 0; i < 400 && value != want; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
        value = probe();
    }
    return value;
}

// One admitd with the real plugins (`plugins`, default: everything a purchase needs), the
// simulator as the payment provider, and a root admin created with `admitd admin create`.
class PlatformFixture : public ::testing::Test {
  protected:
    explicit PlatformFixture(std::vector<std::string> plugins = {"auth", "arthall", "product",
                                                                 "reservation", "toss", "payment",
                                                                 "ticket"},
                             std::string extra_toml = "")
        : plugins_(std::move(plugins)), extra_toml_(std::move(extra_toml)) {}

    void SetUp() override {
        TestVenue venue{.plugins = plugins_, .manual_clock = true};
        venue.extra_toml =
            "[plugin.toss]\nbase_url = \"http://127.0.0.1:" + std::to_string(sim_.port()) +
            "\"\n[plugin.payment]\nprovider = \"toss\"\n"
            "success_url = \"http://127.0.0.1/payments/success\"\n"
            "fail_url = \"http://127.0.0.1/payments/fail\"\n" +
            extra_toml_;
        venue_ = write_temp_file("venue.toml", venue_toml(venue, &storage_));
        // The toss adapter's secrets: the simulator's, in this process's environment so that the
        // one-shot `admin create` (which loads the plugins too) and admitd both see them.
        ::setenv("ADMIT_TOSS_SECRET_KEY", paysim::testing::kSecret, 1);
        ::setenv("ADMIT_TOSS_WEBHOOK_SECRET", paysim::testing::kWebhookSecret, 1);
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
        return http_request(port_, method, "/api/v1" + path, body, h, 30000);
    }
    std::string login(const std::string& email, const std::string& password) {
        auto r = call("POST", "/auth/login", "",
                      R"({"email":")" + email + R"(","password":")" + password + "\"}");
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(json_of(r).at("accessToken").as_string());
    }
    std::string account(const std::string& email, const std::string& role) {
        // A self-registered seller sells once an admin approved it.
        auto signup = sign_up_approved(port_, email, role, "root@admit.test", "root-password-e2e");
        EXPECT_EQ(signup.status, 201) << signup.body;
        return login(email, "long-enough-pw");
    }

    // A product on sale with one 2 x 5 stage at 100,000 KRW a seat; its schedule id.
    std::string schedule_on_sale(const std::string& admin, const std::string& seller) {
        auto hall = call("POST", "/halls", seller, R"({"name":"E2E Hall"})");
        const std::string hall_id(json_of(hall).at("hallId").as_string());
        auto stage = call("POST", "/halls/" + hall_id + "/stages", seller,
                          R"({"name":"Main","layout":{"sections":[{"name":"A","rows":2,)"
                          R"("seatsPerRow":5,"grade":"R"}]}})");
        const std::string stage_id(json_of(stage).at("stageId").as_string());
        const int64_t now_us =
            json_of(call("POST", "/admin/clock", admin, R"({"advanceSeconds":0})"))
                .at("nowUs")
                .as_int64();
        auto product = call(
            "POST", "/products", seller,
            R"({"title":"Paid Night","category":"CONCERT","stageId":")" + stage_id +
                R"(","saleStartsAt":")" + rfc3339(now_us + 60'000'000) + R"(","saleEndsAt":")" +
                rfc3339(now_us + 86'400'000'000LL) +
                R"(","grades":[{"name":"R","price":{"amount":100000,"currency":"KRW"}}],)" +
                R"("schedules":[{"startsAt":")" + rfc3339(now_us + 2 * 86'400'000'000LL) + "\"}]}");
        EXPECT_EQ(product.status, 201) << product.body;
        const std::string product_id(json_of(product).at("productId").as_string());
        EXPECT_EQ(call("POST", "/products/" + product_id + "/submit", seller).status, 200);
        auto approved = call("POST", "/products/" + product_id + "/approve", admin);
        EXPECT_EQ(approved.status, 200) << approved.body;
        EXPECT_EQ(call("POST", "/admin/clock", admin, R"({"advanceSeconds":61})").status, 200);
        EXPECT_EQ(
            await(
                [&] {
                    return std::string(
                        json_of(call("GET", "/products/" + product_id)).at("status").as_string());
                },
                std::string("ON_SALE")),
            "ON_SALE");
        return std::string(json_of(approved).at("schedules").at(0).at("scheduleId").as_string());
    }

    // Holds `seat` for `token`, retrying while the reservation plugin's cached sale context has
    // not yet seen the product go on sale; the last answer.
    HttpResult hold_when_on_sale(const std::string& token, const std::string& schedule,
                                 const std::string& seat, Headers extra = {}) {
        HttpResult held;
        for (int i = 0; i < 200; ++i) {
            held =
                call("POST", "/reservations", token,
                     R"({"scheduleId":")" + schedule + R"(","seatIds":[")" + seat + "\"]}", extra);
            if (held.status == 201) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return held;
    }

    std::vector<std::string> plugins_;
    std::string extra_toml_;  // more venue.toml sections (a plugin's settings)
    PaySim sim_;
    IsolatedStorage storage_;
    std::filesystem::path venue_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

}  // namespace admit::testing

// ProductEndToEnd: a real admitd with test_auth, arthall, product and a stub publishing
// reservation.* events (reservation_events_stub.cpp), on isolated PostgreSQL and Redis with a
// manual clock; a seller's hall with a 1,000-seat stage; helpers to create, move and read
// products and seat maps. Shared by the product end-to-end test files.
#pragma once

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/plugins/product/catalog_test_client.hpp"
#include "tests/support/admitd_process.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing::catalog {

class ProductEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override {
        auto file = write_temp_file(
            "venue.toml",
            venue_toml({.plugins = {"test_auth", "arthall", "product", "test_reservation_events"},
                        .manual_clock = true,
                        .extra_toml = "[plugin.product]\ntransition_interval_ms = 100\n"},
                       &storage_));
        venue_file_ = file.string();
        admitd_ = std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file.string()});
        auto port = admitd_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << admitd_->log();
        api_ = std::make_unique<Api>(*port);
        now_ = api_->clock_now_s();
        auto hall = api_->expect(201, kSeller, "POST", "/api/v1/halls", {{"name", "Arts Center"}});
        hall_id_ = std::string(hall.at("hallId").as_string());
        auto stage = api_->expect(201, kSeller, "POST", "/api/v1/halls/" + hall_id_ + "/stages",
                                  {{"name", "Main"}, {"layout", thousand_seat_layout()}});
        stage_id_ = std::string(stage.at("stageId").as_string());
    }

    /// A reserved-seating product body: VIP/R/S by layout grade, sale in 1 h for 9 days, one show
    /// in 10 days.
    boost::json::value product_body() const {
        return {
            {"title", "Swan Lake"},
            {"category", "BALLET"},
            {"stageId", stage_id_},
            {"saleStartsAt", rfc3339(now_ + 3600)},
            {"saleEndsAt", rfc3339(now_ + 9 * 86400)},
            {"grades", boost::json::parse(R"([
                    {"name": "VIP", "price": {"amount": 150000, "currency": "KRW"}},
                    {"name": "R", "price": {"amount": 100000, "currency": "KRW"}},
                    {"name": "S", "price": {"amount": 70000, "currency": "KRW"}}])")},
            {"schedules", {{{"startsAt", rfc3339(now_ + 10 * 86400)}, {"durationMinutes", 150}}}}};
    }
    std::string create(const boost::json::value& body, const Caller& who = kSeller) {
        return std::string(
            api_->expect(201, who, "POST", "/api/v1/products", body).at("productId").as_string());
    }
    std::string product_status(const std::string& id) {
        return std::string(
            api_->expect(200, kAdmin, "GET", "/api/v1/products/" + id).at("status").as_string());
    }
    int move(const std::string& id, const std::string& action, const Caller& who,
             const boost::json::value& body = nullptr) {
        auto r = body.is_null()
                     ? api_->call(who, "POST", "/api/v1/products/" + id + "/" + action)
                     : api_->call(who, "POST", "/api/v1/products/" + id + "/" + action, body);
        if (r.status == 409) {
            EXPECT_NE(r.body.find("INVALID_STATE"), std::string::npos) << r.body;
        }
        return r.status;
    }
    /// Creates, submits and approves a product; returns {productId, scheduleId}.
    std::pair<std::string, std::string> scheduled_product(boost::json::value body) {
        const auto id = create(body);
        EXPECT_EQ(move(id, "submit", kSeller), 200);
        EXPECT_EQ(move(id, "approve", kAdmin), 200);
        auto product = api_->expect(200, kSeller, "GET", "/api/v1/products/" + id);
        return {id,
                std::string(product.at("schedules").as_array()[0].at("scheduleId").as_string())};
    }
    void publish(const std::string& topic, const std::string& schedule_id,
                 boost::json::value payload) {
        payload.as_object()["scheduleId"] = schedule_id;
        api_->expect(202, kAdmin, "POST", "/api/v1/test/events",
                     {{"topic", topic}, {"key", schedule_id}, {"payload", payload}});
    }
    boost::json::value seat_map(const std::string& schedule_id, const Caller& who = kAnonymous) {
        return api_->expect(200, who, "GET", "/api/v1/schedules/" + schedule_id + "/seats");
    }
    /// The ids of the first `count` seats of the schedule's seat map, in map order.
    std::vector<std::string> first_seat_ids(const std::string& schedule_id, std::size_t count) {
        const auto map = seat_map(schedule_id);
        std::vector<std::string> ids;
        for (std::size_t i = 0; i < count; ++i)
            ids.emplace_back(map.at("seats").as_array()[i].as_array()[0].as_string());
        return ids;
    }

    /// `admitd --config <venue> call METHOD JSON`: {exit code, last line of stdout}.
    std::pair<int, std::string> call_service(const std::string& method,
                                             const std::string& input) const {
        const std::string command = std::string(ADMIT_ADMITD_BINARY) + " --config '" + venue_file_ +
                                    "' call " + method + " '" + input + "' 2>/dev/null";
        FILE* pipe = ::popen(command.c_str(), "r");
        if (pipe == nullptr) return {-1, ""};
        std::string output;
        char buffer[65536];
        while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
        const int status = ::pclose(pipe);
        while (!output.empty() && output.back() == '\n') output.pop_back();
        const auto newline = output.rfind('\n');
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                newline == std::string::npos ? output : output.substr(newline + 1)};
    }

    IsolatedStorage storage_;
    std::string venue_file_;
    std::unique_ptr<AdmitdProcess> admitd_;
    std::unique_ptr<Api> api_;
    int64_t now_ = 0;
    std::string hall_id_;
    std::string stage_id_;
};

}  // namespace admit::testing::catalog

// The admitd every conformance test talks to: test_auth, arthall, product and a stub that
// publishes reservation.* events, CORS allowing one origin, and one scheduled 1,000-seat
// performance whose seat map and stream the caching and resumption tests use.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/http/raw_client.hpp"
#include "tests/plugins/product/catalog_test_client.hpp"
#include "tests/support/admitd_process.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing::conformance {

inline constexpr const char* kAllowedOrigin = "https://shop.example";

class Conformance : public ::testing::Test {
  protected:
    void SetUp() override {
        auto file = write_temp_file(
            "venue.toml",
            venue_toml({.plugins = {"test_auth", "arthall", "product", "test_reservation_events"},
                        .manual_clock = true,
                        .extra_toml = std::string("[server.cors]\nallowed_origins = [\"") +
                                      kAllowedOrigin + "\"]\n"},
                       &storage_));
        admitd_ = std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file.string()});
        auto port = admitd_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << admitd_->log();
        port_ = *port;
        api_ = std::make_unique<catalog::Api>(port_);
    }

    // A scheduled 1,000-seat performance (created once per test that asks); its schedule id.
    std::string scheduled_performance() {
        using catalog::kAdmin;
        using catalog::kSeller;
        const int64_t now = api_->clock_now_s();
        auto hall = api_->expect(201, kSeller, "POST", "/api/v1/halls", {{"name", "Hall"}});
        const std::string hall_id(hall.at("hallId").as_string());
        auto stage = api_->expect(201, kSeller, "POST", "/api/v1/halls/" + hall_id + "/stages",
                                  {{"name", "Main"}, {"layout", catalog::thousand_seat_layout()}});
        boost::json::value body = {
            {"title", "Conformance"},
            {"category", "CONCERT"},
            {"stageId", stage.at("stageId")},
            {"saleStartsAt", catalog::rfc3339(now + 3600)},
            {"saleEndsAt", catalog::rfc3339(now + 9 * 86400)},
            {"grades", boost::json::parse(R"([
                {"name": "VIP", "price": {"amount": 150000, "currency": "KRW"}},
                {"name": "R", "price": {"amount": 100000, "currency": "KRW"}},
                {"name": "S", "price": {"amount": 70000, "currency": "KRW"}}])")},
            {"schedules",
             {{{"startsAt", catalog::rfc3339(now + 10 * 86400)}, {"durationMinutes", 120}}}}};
        const std::string id(api_->expect(201, kSeller, "POST", "/api/v1/products", body)
                                 .at("productId")
                                 .as_string());
        api_->expect(200, kSeller, "POST", "/api/v1/products/" + id + "/submit");
        api_->expect(200, kAdmin, "POST", "/api/v1/products/" + id + "/approve");
        auto product = api_->expect(200, kSeller, "GET", "/api/v1/products/" + id);
        return std::string(product.at("schedules").as_array()[0].at("scheduleId").as_string());
    }

    // Publishes a reservation.* event for `schedule_id` through the stub plugin.
    void publish(const std::string& topic, const std::string& schedule_id,
                 boost::json::value payload) {
        payload.as_object()["scheduleId"] = schedule_id;
        api_->expect(202, catalog::kAdmin, "POST", "/api/v1/test/events",
                     {{"topic", topic}, {"key", schedule_id}, {"payload", payload}});
    }

    // One request on a fresh connection; the reply's headers only when `headers_only`.
    std::optional<http::testing::Reply> exchange(const std::string& raw,
                                                 bool headers_only = false) {
        http::testing::RawClient client(port_);
        if (!client.connected() || !client.send(raw)) return std::nullopt;
        return client.read_reply(std::chrono::seconds(10), headers_only);
    }

    IsolatedStorage storage_;
    std::unique_ptr<AdmitdProcess> admitd_;
    std::unique_ptr<catalog::Api> api_;
    std::uint16_t port_ = 0;
};

}  // namespace admit::testing::conformance

// Helpers for the arthall/product end-to-end tests: calls as a test_auth identity, JSON bodies,
// the venue and layouts they share, and polling with a deadline.
#pragma once

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "tests/support/http_test_client.hpp"

namespace admit::testing::catalog {

/// An identity of test_auth: "seller:usr_s1" -> Authorization: Bearer test:seller:usr_s1. "" =
/// anonymous.
struct Caller {
    std::string role;
    std::string user;
};

class Api {
  public:
    explicit Api(uint16_t port) : port_(port) {}

    HttpResult call(const Caller& who, const std::string& method, const std::string& target,
                    const std::string& body = "") const {
        std::map<std::string, std::string> headers;
        if (!who.role.empty())
            headers["Authorization"] = "Bearer test:" + who.role + ":" + who.user;
        if (!body.empty()) headers["Content-Type"] = "application/json";
        return http_request(port_, method, target, body, headers, 30000);
    }
    HttpResult call(const Caller& who, const std::string& method, const std::string& target,
                    const boost::json::value& body) const {
        return call(who, method, target, boost::json::serialize(body));
    }
    /// Calls and expects `status`; returns the parsed body (null when empty).
    boost::json::value expect(int status, const Caller& who, const std::string& method,
                              const std::string& target,
                              const boost::json::value& body = nullptr) const {
        auto r = body.is_null() ? call(who, method, target) : call(who, method, target, body);
        EXPECT_EQ(r.status, status) << method << " " << target << " -> " << r.body << r.error;
        if (r.body.empty()) return nullptr;
        boost::system::error_code ec;
        auto parsed = boost::json::parse(r.body, ec);
        return ec ? boost::json::value(nullptr) : parsed;
    }
    /// Moves the manual host clock forward.
    void advance_clock(double seconds) const {
        expect(200, {"admin", "usr_admin"}, "POST", "/api/v1/admin/clock",
               {{"advanceSeconds", seconds}});
    }
    /// The host clock now (unix seconds).
    int64_t clock_now_s() const {
        auto r = expect(200, {"admin", "usr_admin"}, "POST", "/api/v1/admin/clock",
                        {{"advanceSeconds", 0}});
        return r.at("nowUs").to_number<int64_t>() / 1000000;
    }
    uint16_t port() const { return port_; }

  private:
    uint16_t port_;
};

inline const Caller kAdmin{"admin", "usr_admin"};
inline const Caller kSeller{"seller", "usr_seller1"};
inline const Caller kOtherSeller{"seller", "usr_seller2"};
inline const Caller kCustomer{"customer", "usr_buyer"};
inline const Caller kAnonymous{};

/// A 1,000-seat layout: section A (10 x 50; rows 1-3 VIP, the rest R) and B (10 x 50, S).
inline boost::json::value thousand_seat_layout() {
    return boost::json::parse(R"({"sections": [
        {"name": "A", "rows": 10, "seatsPerRow": 50, "grade": "R", "aisleAfter": [25],
         "gradeBlocks": [{"grade": "VIP", "fromRow": 1, "toRow": 3}]},
        {"name": "B", "rows": 10, "seatsPerRow": 50, "grade": "S", "origin": {"x": 0, "y": 15}}]})");
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

/// RFC 3339 UTC text of unix seconds.
inline std::string rfc3339(int64_t unix_s) {
    const std::time_t t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

}  // namespace admit::testing::catalog

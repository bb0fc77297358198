// A real admitd with test_auth, stub_product and reservation on isolated storage, plus helpers
// to act as buyers, race them, and look at PostgreSQL and Redis directly.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {

class ReservationEndToEnd : public ::testing::Test {
  protected:
    /// Starts admitd; `manual_clock` freezes the host clock (advance with advance_clock).
    /// `extra_settings`: more [plugin.reservation] lines. `workers`: [server] workers.
    void start_admitd(bool manual_clock = false, const std::string& extra_settings = "",
                      unsigned workers = 8);
    void SetUp() override { start_admitd(false); }

    static std::string bearer(const std::string& user, const std::string& role = "customer") {
        return "Bearer test:" + role + ":" + user;
    }
    HttpResult as(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "", std::map<std::string, std::string> headers = {},
                  const std::string& role = "customer");
    HttpResult hold_seats(const std::string& user, const std::string& schedule,
                          const std::vector<std::string>& seats,
                          const std::string& idempotency_key = "");
    HttpResult hold_units(const std::string& user, const std::string& schedule,
                          const std::string& grade, int quantity,
                          const std::string& idempotency_key = "");

    /// Runs `count` requests at once (threads released together) and returns their results in
    /// order.
    std::vector<HttpResult> race(int count, const std::function<HttpResult(int)>& request);

    /// One scalar from the test's own database.
    int64_t pg_scalar(const std::string& sql);
    /// Runs a redis-cli command against the private Redis; returns its output.
    std::string redis_cli(const std::string& arguments);
    /// Advances the manual host clock (admin route).
    void advance_clock(int seconds);

    static std::string code_of(const HttpResult& result);
    static boost::json::object json_of(const HttpResult& result);

    IsolatedStorage storage_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

}  // namespace admit::testing

// Real admitd processes with test_auth, stub_product, reservation and queue on isolated storage
// (own database, private Redis), plus helpers to act as users and operators, await conditions,
// and look at PostgreSQL and Redis directly. The entry-token key is fixed (environment), so tests
// can also sign tokens of their own (expired ones, other keys).
#pragma once

#include "entry_token.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
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

class QueueEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override;

    /// Starts one more admitd on the same storage; answers its port (index into ports_).
    uint16_t spawn_admitd();

    HttpResult as(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "", std::map<std::string, std::string> headers = {},
                  const std::string& role = "customer", int host = 0);
    HttpResult join(const std::string& user, const std::string& schedule, int host = 0);
    HttpResult status(const std::string& user, const std::string& schedule, int host = 0);
    HttpResult admin(const std::string& method, const std::string& schedule,
                     const std::string& action, const std::string& body = "");
    HttpResult hold_units(const std::string& user, const std::string& schedule, int quantity,
                          const std::string& entry_token);

    /// Polls `condition` every 100 ms until it holds or `timeout` passes.
    static bool await(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20));
    /// Polls the user's status until it is ADMITTED; answers the body (empty on timeout).
    boost::json::object await_admitted(
        const std::string& user, const std::string& schedule,
        std::chrono::milliseconds timeout = std::chrono::seconds(20));

    int64_t pg_scalar(const std::string& sql);
    std::string redis_cli(const std::string& arguments);

    static std::string code_of(const HttpResult& result);
    static boost::json::object json_of(const HttpResult& result);
    static std::string text_of(const boost::json::object& body, const char* key);

    queue::EntryKey key_{};
    IsolatedStorage storage_;
    std::string venue_file_;
    std::vector<std::unique_ptr<AdmitdProcess>> admitds_;
    std::vector<uint16_t> ports_;
};

}  // namespace admit::testing

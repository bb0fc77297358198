// A real admitd with test_auth, log and log_test_hooks on isolated storage, plus helpers to
// publish events, read the audit routes and look at PostgreSQL directly.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/admitd_process.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {

/// One event for LogEndToEnd::publish.
struct TestEvent {
    std::string topic;
    std::string key;
    boost::json::object payload;
};

class LogEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override { start_admitd(initial_log_toml()); }
    /// The [plugin.log] lines of the first start (a fixture for other settings overrides it:
    /// periodic jobs keep the schedule of the first start in the database).
    virtual std::string initial_log_toml() const { return ""; }

    /// Starts (or restarts) admitd; `log_toml`: lines of the [plugin.log] section.
    void start_admitd(const std::string& log_toml = "");

    /// Sends a request as `role` user `user` (role "" = no Authorization header).
    HttpResult as(const std::string& user, const std::string& role, const std::string& method,
                  const std::string& target);
    HttpResult admin(const std::string& method, const std::string& target) {
        return as("usr_admin", "admin", method, target);
    }
    /// Publishes `events` in one transaction (through log_test_hooks).
    void publish(const std::vector<TestEvent>& events);
    /// Waits until the audit log holds `count` entries (fails the test on timeout).
    void await_entries(int64_t count);
    /// Every page of GET `target` (which has no cursor yet), items in the order served.
    std::vector<boost::json::object> all_pages(const std::string& target);

    int64_t pg_scalar(const std::string& sql) { return testing::pg_scalar(storage_.pg_url(), sql); }
    void pg_exec(const std::string& sql) { testing::pg_exec(storage_.pg_url(), sql); }
    static boost::json::object json_of(const HttpResult& result) { return json_object_of(result); }

    IsolatedStorage storage_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

}  // namespace admit::testing

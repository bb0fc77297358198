// End-to-end fixtures for the plugins that follow events (log, notification): a real admitd with
// test_auth, the plugins under test and log_test_hooks (which publishes events for a test) on
// isolated storage, plus helpers to publish events, call routes and look at PostgreSQL.
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

/// One event for PluginEndToEnd::publish.
struct TestEvent {
    std::string topic;
    std::string key;
    boost::json::object payload;
};

class PluginEndToEnd : public ::testing::Test {
  protected:
    void SetUp() override { start_admitd(); }
    /// The plugins of the venue (authenticator() and log_test_hooks are added).
    virtual std::vector<std::string> venue_plugins() const = 0;
    /// test_auth ("Bearer test:<role>:<user>"), or "auth" for real accounts.
    virtual std::string authenticator() const { return "test_auth"; }
    /// Environment entries ("NAME=value") for admitd.
    virtual std::vector<std::string> venue_env() const { return {}; }
    /// Venue TOML appended to the file ([plugin.x] sections). Settings are fixed per fixture:
    /// periodic jobs keep the schedule of the first start in the database.
    virtual std::string venue_extra_toml() const { return ""; }

    /// Starts (or restarts) admitd.
    void start_admitd();

    /// Sends a request as `role` user `user` (role "" = no Authorization header).
    HttpResult as(const std::string& user, const std::string& role, const std::string& method,
                  const std::string& target, const std::string& body = "");
    HttpResult admin(const std::string& method, const std::string& target,
                     const std::string& body = "") {
        return as("usr_admin", "admin", method, target, body);
    }
    /// Publishes `events` in one transaction (through log_test_hooks), as `bearer` (default: a
    /// test_auth admin).
    void publish(const std::vector<TestEvent>& events,
                 const std::string& bearer = "test:admin:usr_admin");
    /// Every page of GET `target` (which has no cursor yet) as `user` with `role`, items in the
    /// order served.
    std::vector<boost::json::object> all_pages(const std::string& target,
                                               const std::string& user = "usr_admin",
                                               const std::string& role = "admin");

    int64_t pg_scalar(const std::string& sql) { return testing::pg_scalar(storage_.pg_url(), sql); }
    void pg_exec(const std::string& sql) { testing::pg_exec(storage_.pg_url(), sql); }
    static boost::json::object json_of(const HttpResult& result) { return json_object_of(result); }

    IsolatedStorage storage_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

/// admitd with the log plugin.
class LogEndToEnd : public PluginEndToEnd {
  protected:
    std::vector<std::string> venue_plugins() const override { return {"log"}; }
    // The audit log sees the test's events only: the host's own policy.* events (the policy
    // seed at startup) would land at unpredictable places in the chain.
    std::string venue_extra_toml() const override {
        return "[plugin.log]\ntopics = \"reservation.*,payment.*,product.*,queue.*,ticket.*,"
               "auth.*\"\n" +
               log_toml();
    }
    /// Lines of the [plugin.log] section.
    virtual std::string log_toml() const { return ""; }

    /// Waits until the audit log holds `count` entries (fails the test on timeout).
    void await_entries(int64_t count);
};

}  // namespace admit::testing

// End-to-end fixture for the auth plugin: a real admitd loading `auth`, with its own PostgreSQL
// database and Redis, HTTP helpers, and the admin made by `admitd admin create`.
#pragma once

#include "key_ring.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::auth::testing {

using admit::testing::HttpResult;

inline constexpr const char* kPassword = "correct horse battery";

struct Session {
    std::string access;
    std::string refresh;
    std::string user_id;
};

class AuthEndToEnd : public ::testing::Test {
  protected:
    struct Options {
        bool key_from_environment = true;  ///< false: the key is generated and kept in PostgreSQL
        bool real_rate_limits = false;     ///< false: the "auth" category limit is lifted for tests
        bool manual_clock = false;         ///< the host clock moves only through advance_clock()
        int maintenance_interval_seconds = 0;  ///< 0: the plugin's default
        std::string server_toml;               ///< extra lines of the venue's [server] table
        std::string auth_toml;                 ///< extra lines of the venue's [plugin.auth] table
    };
    AuthEndToEnd() : AuthEndToEnd(Options{}) {}
    explicit AuthEndToEnd(Options options) : options_(options) {}

    void SetUp() override;

    HttpResult request(const std::string& method, const std::string& path,
                       const std::string& body = "", const std::string& access_token = "",
                       std::map<std::string, std::string> headers = {});
    HttpResult post(const std::string& path, const boost::json::value& body,
                    const std::string& token = "");
    HttpResult get(const std::string& path, const std::string& token = "");

    /// Signs up `email` (201 expected) and returns the user id.
    std::string signup(const std::string& email, const std::string& role = "customer");
    /// Logs in (200 expected).
    Session login(const std::string& email, const std::string& password = kPassword);
    /// Creates the admin once with `admitd admin create` and logs in as it.
    Session admin();
    /// Runs a one-shot admitd command against this test's venue.
    admit::testing::CommandResult admitd_command(const std::vector<std::string>& args);

    /// Stops admitd and starts it again on the same venue and storage (the environment as it is
    /// now).
    void restart_admitd();
    /// Puts a fresh random seed into ADMIT_TEST_AUTH_KEY (and key_) and returns it.
    std::string new_environment_key();

    /// Moves the manual host clock forward (Options::manual_clock), as the admin.
    void advance_clock(int64_t seconds);

    /// Topics and payloads of the auth events in this test's outbox, oldest first.
    std::vector<std::pair<std::string, boost::json::object>> auth_events();

    static std::string code_of(const HttpResult& result);
    /// True when a 400's message names the body field `field`: the route contract's check writes
    /// "body.<field>: ...", the handler's own checks write "field '<field>' ...".
    static bool names_field(const HttpResult& result, const std::string& field);

    /// The repository's policies with the "auth" rate limit lifted (tests sign up and log in a
    /// lot).
    static std::filesystem::path relaxed_policies();

    Options options_;
    std::optional<SigningKey> key_;  ///< the environment key, when used
    admit::testing::IsolatedStorage storage_;
    std::filesystem::path venue_;
    std::unique_ptr<admit::testing::AdmitdProcess> admitd_;
    uint16_t port_ = 0;
    std::optional<Session> admin_;
};

}  // namespace admit::auth::testing

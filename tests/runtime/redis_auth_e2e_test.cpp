// Redis with ACLs: admitd authenticates as a Redis 6 ACL user whose password comes only from the
// environment (ADMIT_REDIS_PASSWORD); a wrong or missing password stops the start with a message
// that names the user and never the secret.
#include <gtest/gtest.h>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {
namespace {

constexpr const char* kPassword = "acl-secret-7f3a";

class RedisAcl : public ::testing::Test {
  protected:
    void SetUp() override {
        // An ACL user for admitd and the default user switched off, as the README's production
        // shape describes (the Redis is this test's own: IsolatedStorage kills it afterwards).
        redis_cli({"ACL", "SETUSER", "admit", "on", std::string(">") + kPassword, "~*", "&*",
                   "+@all", "-@admin"});
        redis_cli({"ACL", "SETUSER", "default", "off"});
        // venue_toml writes [redis]; the user goes into that table.
        auto text = venue_toml({.plugins = {"hello"}}, &storage_);
        const auto at = text.find("[redis]\n");
        ASSERT_NE(at, std::string::npos);
        text.insert(at + 8, "user = \"admit\"\n");
        venue_ = write_temp_file("venue.toml", text);
    }

    void redis_cli(std::vector<std::string> args) {
        args.insert(args.begin(), {"-p", std::to_string(storage_.redis_port())});
        auto r = run_command("/usr/bin/redis-cli", args, std::chrono::seconds(10));
        ASSERT_EQ(r.status, 0) << r.output;
    }

    IsolatedStorage storage_;
    std::filesystem::path venue_;
};

TEST_F(RedisAcl, AdmitdAuthenticatesAsItsAclUserWithThePasswordFromTheEnvironment) {
    AdmitdProcess admitd(ADMIT_ADMITD_BINARY, {"--config", venue_.string()},
                         {std::string("ADMIT_REDIS_PASSWORD=") + kPassword});
    auto port = admitd.wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd.log();
    EXPECT_EQ(http_request(*port, "GET", "/readyz").status, 200);
    EXPECT_EQ(http_request(*port, "GET", "/api/v1/hello").status, 200);
    EXPECT_EQ(admitd.log().find(kPassword), std::string::npos);
}

TEST_F(RedisAcl, AWrongPasswordStopsTheStartNamingTheUserNotTheSecret) {
    AdmitdProcess admitd(ADMIT_ADMITD_BINARY, {"--config", venue_.string()},
                         {"ADMIT_REDIS_PASSWORD=not-the-password"});
    auto code = admitd.wait_exit();
    ASSERT_TRUE(code.has_value());
    EXPECT_NE(*code, 0);
    const auto log = admitd.log();
    EXPECT_NE(log.find("Redis refused AUTH as admit"), std::string::npos) << log;
    EXPECT_EQ(log.find("not-the-password"), std::string::npos) << log;
}

TEST_F(RedisAcl, WithoutAPasswordTheDisabledDefaultUserIsRefused) {
    AdmitdProcess admitd(ADMIT_ADMITD_BINARY, {"--config", venue_.string()});
    auto code = admitd.wait_exit();
    ASSERT_TRUE(code.has_value());
    EXPECT_NE(*code, 0);
    EXPECT_NE(admitd.log().find("Redis"), std::string::npos) << admitd.log();
}

}  // namespace
}  // namespace admit::testing

#include <gtest/gtest.h>

#include "host/runtime/command_line.hpp"

namespace admit::runtime {
namespace {

TEST(CommandLineTest, RunNeedsConfig) {
    auto cl = parse_command_line({});
    ASSERT_FALSE(cl.ok());
    EXPECT_NE(cl.error().message.find("--config"), std::string::npos);
}

TEST(CommandLineTest, ParsesRunWithDefaults) {
    auto cl = parse_command_line({"--config", "v.toml", "--defaults", "d.toml"});
    ASSERT_TRUE(cl.ok());
    EXPECT_EQ(cl->action, CommandLine::Action::run);
    EXPECT_EQ(cl->config_file, "v.toml");
    EXPECT_EQ(cl->defaults_file.value_or(""), "d.toml");
}

TEST(CommandLineTest, CheckConfigAndPolicyTest) {
    auto check = parse_command_line({"--check-config", "v.toml"});
    ASSERT_TRUE(check.ok());
    EXPECT_EQ(check->action, CommandLine::Action::check_config);
    auto policy = parse_command_line({"policy", "test", "pol"});
    ASSERT_TRUE(policy.ok());
    EXPECT_EQ(policy->action, CommandLine::Action::policy_test);
    EXPECT_EQ(policy->policy_dir, "pol");
}

TEST(CommandLineTest, AdminCreateReadsThePasswordFromTheEnvironmentOnly) {
    ::unsetenv("ADMIT_TEST_PW");
    auto missing = parse_command_line({"--config", "v.toml", "admin", "create", "--email", "a@b.c",
                                       "--password-env", "ADMIT_TEST_PW"});
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("ADMIT_TEST_PW is not set"), std::string::npos);
    ::setenv("ADMIT_TEST_PW", "s3cret-pass", 1);
    auto cl = parse_command_line({"--config", "v.toml", "admin", "create", "--email", "a@b.c",
                                  "--password-env", "ADMIT_TEST_PW"});
    ASSERT_TRUE(cl.ok());
    EXPECT_EQ(cl->call_method, "auth.create_admin");
    EXPECT_NE(cl->call_input.find("s3cret-pass"), std::string::npos);
}

TEST(CommandLineTest, UnknownArgumentIsAUsageError) {
    auto cl = parse_command_line({"--config", "v.toml", "--frobnicate"});
    ASSERT_FALSE(cl.ok());
    EXPECT_EQ(cl.error().code, "USAGE");
    EXPECT_NE(cl.error().message.find("--frobnicate"), std::string::npos);
}

}  // namespace
}  // namespace admit::runtime

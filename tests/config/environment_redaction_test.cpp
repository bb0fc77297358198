// Environment overrides, and that secrets never show in describe() or redacted URLs.
#include "config_test_support.hpp"
#include "host/config/describe.hpp"
#include "host/config/redaction.hpp"

#include <gtest/gtest.h>

namespace admit::config {
namespace {

using testing::options_for;
using testing::TempDir;

TEST(ConfigEnvironment, OverridesWinOverFiles) {
    TempDir dir;
    auto venue = dir.write("v.toml",
                           "[venue]\nid = \"v\"\n[database]\nurl = \"postgresql://file@db/x\"\n"
                           "[redis]\nhost = \"file-host\"\nport = 1000\nuser = \"admit\"\n");
    LoadOutcome outcome =
        load(options_for(venue, {{"ADMIT_DATABASE_URL", "postgresql://env:pw@db2:5432/y"},
                                 {"ADMIT_REDIS_HOST", "env-host"},
                                 {"ADMIT_REDIS_PORT", "6380"},
                                 {"ADMIT_REDIS_PASSWORD", "from-env"}}));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.config->database.url, "postgresql://env:pw@db2:5432/y");
    EXPECT_EQ(outcome.config->redis.host, "env-host");
    EXPECT_EQ(outcome.config->redis.port, 6380);
    EXPECT_EQ(outcome.config->redis.password, "from-env");
    EXPECT_EQ(outcome.config->redis.user, "admit");
}

TEST(ConfigEnvironment, FilesApplyWhenEnvironmentIsSilent) {
    TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n[redis]\nuser = \"admit\"\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.config->redis.user, "admit");
    EXPECT_FALSE(outcome.config->redis.password.has_value());
}

// A secret in the venue file would end up in the repository: the Redis password comes only from
// ADMIT_REDIS_PASSWORD, and the refusal says so.
TEST(ConfigEnvironment, ARedisPasswordInTheFileIsRefusedNamingTheVariable) {
    TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n[redis]\npassword = \"in-the-file\"\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_FALSE(outcome.ok());
    const auto text = testing::issues_text(outcome);
    EXPECT_NE(text.find("redis.password"), std::string::npos) << text;
    EXPECT_NE(text.find("ADMIT_REDIS_PASSWORD"), std::string::npos) << text;
    EXPECT_EQ(text.find("in-the-file"), std::string::npos) << text;
}

TEST(ConfigEnvironment, MalformedOverridesAreReported) {
    TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n");
    LoadOutcome outcome = load(
        options_for(venue, {{"ADMIT_REDIS_PORT", "63a"}, {"ADMIT_DATABASE_URL", "mysql://x"}}));
    ASSERT_EQ(outcome.issues.size(), 2u) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.issues[0].to_string(),
              "environment: database.url: ADMIT_DATABASE_URL: not a libpq URI (expected "
              "postgresql://...)");
    EXPECT_EQ(outcome.issues[1].key, "redis.port");
}

TEST(ConfigRedaction, RedactsUrlPasswords) {
    EXPECT_EQ(redact_url("postgresql://admit:s3cret@127.0.0.1:55432/admit"),
              "postgresql://admit:***@127.0.0.1:55432/admit");
    EXPECT_EQ(redact_url("postgresql://admit@127.0.0.1/admit"),
              "postgresql://admit@127.0.0.1/admit");
    EXPECT_EQ(redact_url("postgresql://u:p%40ss@h/db?sslmode=require&password=x#frag"),
              "postgresql://u:***@h/db?sslmode=require&password=***#frag");
    EXPECT_EQ(redact_url("postgresql://u:p@ss@h"), "postgresql://u:***@h");
    EXPECT_EQ(redact_url("not a url"), "not a url");
}

TEST(ConfigRedaction, SecretKeyNames) {
    EXPECT_TRUE(is_secret_key("password"));
    EXPECT_TRUE(is_secret_key("sasl.password"));
    EXPECT_TRUE(is_secret_key("Webhook_Secret"));
    EXPECT_TRUE(is_secret_key("api_key"));
    EXPECT_FALSE(is_secret_key("greeting"));
    EXPECT_FALSE(is_secret_key("brokers"));
}

TEST(ConfigRedaction, DescribeShowsEffectiveConfigWithoutSecrets) {
    TempDir dir;
    auto venue = dir.write(
        "v.toml",
        "[venue]\nid = \"v\"\n[plugins]\ndir = \".\"\nload = [\"pay\"]\n"
        "[plugin.pay]\nwebhook_secret = \"hook-s3cret\"\nendpoint = \"https://u:pw-s3cret@psp/x\"\n"
        "mode = \"test\"\n[events]\nbackend = \"kafka\"\n[events.kafka]\nbrokers = \"k:9092\"\n"
        "[events.kafka.properties]\n\"sasl.password\" = \"kafka-s3cret\"\n\"acks\" = \"all\"\n");
    LoadOutcome outcome =
        load(options_for(venue, {{"ADMIT_DATABASE_URL", "postgresql://admit:db-s3cret@h/admit"},
                                 {"ADMIT_REDIS_PASSWORD", "redis-s3cret"}}));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    const std::string text = describe(*outcome.config);
    EXPECT_EQ(text.find("s3cret"), std::string::npos) << text;
    EXPECT_NE(text.find("postgresql://admit:***@h/admit"), std::string::npos) << text;
    EXPECT_NE(text.find("password = \"***\""), std::string::npos) << text;
    EXPECT_NE(text.find("mode = \"test\""), std::string::npos) << text;
    EXPECT_NE(text.find("acks = \"all\""), std::string::npos) << text;
    EXPECT_NE(text.find("id = \"v\""), std::string::npos) << text;
    EXPECT_NE(text.find("workers = 16"), std::string::npos) << text;
}

}  // namespace
}  // namespace admit::config

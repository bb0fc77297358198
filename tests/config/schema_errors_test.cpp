// Every kind of configuration error names the file, the dotted key and the line:column, and all
// errors of a load are reported together.
#include "config_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace admit::config {
namespace {

using testing::options_for;
using testing::TempDir;

// The one issue of a load that must have failed with exactly one issue.
ConfigIssue only_issue(const LoadOutcome& outcome) {
    EXPECT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.issues.size(), 1u) << testing::issues_text(outcome);
    return outcome.issues.empty() ? ConfigIssue{} : outcome.issues.front();
}

TEST(ConfigErrors, UnknownKeySuggestsTheClosestKnownKey) {
    TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n[server]\nprot = 80\n");
    ConfigIssue issue = only_issue(load(options_for(venue)));
    EXPECT_EQ(issue.file, venue.string());
    EXPECT_EQ(issue.key, "server.prot");
    EXPECT_EQ(issue.line, 4u);
    EXPECT_EQ(issue.column, 1u);
    EXPECT_EQ(issue.to_string(),
              venue.string() + ":4:1: server.prot: unknown key (did you mean \"port\"?)");
}

TEST(ConfigErrors, UnknownKeyWithoutCloseMatchHasNoSuggestion) {
    TempDir dir;
    auto venue = dir.write(
        "v.toml", "[venue]\nid = \"v\"\n[serverz]\nx = 1\n[server]\n  completely_else = 1\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_EQ(outcome.issues.size(), 2u) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.issues[0].key, "server.completely_else");
    EXPECT_EQ(outcome.issues[0].message, "unknown key");
    EXPECT_EQ(outcome.issues[0].column, 3u);
    EXPECT_EQ(outcome.issues[1].key, "serverz");
    EXPECT_EQ(outcome.issues[1].message, "unknown key (did you mean \"server\"?)");
}

TEST(ConfigErrors, WrongType) {
    TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n[server]\nport = \"80\"\n");
    ConfigIssue issue = only_issue(load(options_for(venue)));
    EXPECT_EQ(issue.key, "server.port");
    EXPECT_EQ(issue.line, 4u);
    EXPECT_EQ(issue.column, 8u);
    EXPECT_EQ(issue.message, "expected integer, found string");
}

TEST(ConfigErrors, OutOfRange) {
    TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n[server]\nworkers = 0\nport = 70000\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_EQ(outcome.issues.size(), 2u) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.issues[0].to_string(),
              venue.string() + ":5:8: server.port: value 70000 is out of range (0..65535)");
    EXPECT_EQ(outcome.issues[1].key, "server.workers");
    EXPECT_EQ(outcome.issues[1].line, 4u);
}

TEST(ConfigErrors, BadChoiceAndFormat) {
    TempDir dir;
    auto venue =
        dir.write("v.toml",
                  "[venue]\nid = \"Bad_Id\"\ncurrency = \"won\"\ntimezone = \"Mars/Base\"\n"
                  "[log]\nlevel = \"verbose\"\n[server]\naddress = \"localhost\"\n");
    LoadOutcome outcome = load(options_for(venue));
    std::vector<std::string> keys;
    for (const auto& issue : outcome.issues) keys.push_back(issue.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"venue.id", "venue.currency", "venue.timezone",
                                              "server.address", "log.level"}))
        << testing::issues_text(outcome);
    EXPECT_EQ(outcome.issues[4].message,
              "\"verbose\" is not one of \"trace\", \"debug\", \"info\", \"warn\", \"error\"");
}

TEST(ConfigErrors, CorsNamesEachOriginExactlyAndChecksHeaderNames) {
    TempDir dir;
    auto venue = dir.write("v.toml",
                           "[venue]\nid = \"v\"\n[server.cors]\n"
                           "allowed_origins = [\"https://shop.example\", \"*\", \"shop.example\", "
                           "\"https://shop.example/app\", \"https://shop.example\"]\n"
                           "allowed_headers = [\"Authorization\", \"Bad Header\"]\n"
                           "max_age_seconds = 100000\ncredentials = true\n");
    LoadOutcome outcome = load(options_for(venue));
    std::vector<std::string> messages;
    for (const auto& issue : outcome.issues) messages.push_back(issue.key + ": " + issue.message);
    EXPECT_EQ(
        messages,
        (std::vector<std::string>{
            "server.cors.allowed_origins[1]: \"*\" is not allowed: name each origin exactly "
            "(credentials are allowed)",
            "server.cors.allowed_origins[2]: \"shop.example\" is not an origin (expected "
            "http://host[:port] or https://host[:port])",
            "server.cors.allowed_origins[3]: \"https://shop.example/app\" is not an origin "
            "(lower-case host, optional port, no path)",
            "server.cors.allowed_origins[4]: \"https://shop.example\" is listed more than once",
            "server.cors.allowed_headers[1]: \"Bad Header\" is not a header name",
            "server.cors.max_age_seconds: value 100000 is out of range (0..86400)",
            "server.cors.credentials: unknown key"}))
        << testing::issues_text(outcome);
}

TEST(ConfigErrors, TrustedProxiesAreAddressesOrNetworks) {
    TempDir dir;
    auto venue = dir.write("v.toml",
                           "[venue]\nid = \"v\"\n[server]\n"
                           "trusted_proxies = [\"10.0.0.0/8\", \"fd00::/8\", \"192.0.2.1\", "
                           "\"10.0.0.0/33\", \"proxy.internal\"]\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_EQ(outcome.issues.size(), 2u) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.issues[0].key, "server.trusted_proxies[3]");
    EXPECT_EQ(outcome.issues[1].key, "server.trusted_proxies[4]");
    EXPECT_NE(outcome.issues[1].message.find("is not an IP address or CIDR"), std::string::npos);
}

TEST(ConfigErrors, AMovableClockIsRefusedOutsideTests) {
    TempDir dir;
    auto production =
        dir.write("p.toml", "[venue]\nid = \"arts-center\"\n[testing]\nmanual_clock = true\n");
    ConfigIssue issue = only_issue(load(options_for(production)));
    EXPECT_EQ(issue.key, "testing.manual_clock");
    EXPECT_NE(issue.message.find("tests only"), std::string::npos);
    auto test_venue =
        dir.write("t.toml", "[venue]\nid = \"test-hall\"\n[testing]\nmanual_clock = true\n");
    EXPECT_TRUE(load(options_for(test_venue)).ok());
    auto flagged = dir.write(
        "f.toml", "[venue]\nid = \"demo\"\n[testing]\nmanual_clock = true\ntest_run = true\n");
    auto outcome = load(options_for(flagged));
    EXPECT_TRUE(outcome.ok()) << testing::issues_text(outcome);
}

TEST(ConfigErrors, TargetLimitHasAFloor) {
    TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n[server]\ntarget_limit_bytes = 10\n");
    ConfigIssue issue = only_issue(load(options_for(venue)));
    EXPECT_EQ(issue.key, "server.target_limit_bytes");
}

TEST(ConfigErrors, MissingRequiredVenueId) {
    TempDir dir;
    auto venue = dir.write("v.toml", "\n[venue]\nname = \"x\"\n");
    ConfigIssue issue = only_issue(load(options_for(venue)));
    EXPECT_EQ(issue.file, venue.string());
    EXPECT_EQ(issue.key, "venue.id");
    EXPECT_EQ(issue.line, 2u);  // the [venue] table
    EXPECT_EQ(issue.message, "required key is missing");

    auto empty = dir.write("empty.toml", "");
    ConfigIssue no_table = only_issue(load(options_for(empty)));
    EXPECT_EQ(no_table.to_string(), empty.string() + ": venue.id: required key is missing");
}

TEST(ConfigErrors, MissingPluginFileNamesEntryNameAndPath) {
    TempDir dir;
    dir.write("plugins/alpha.so", "");
    auto venue = dir.write(
        "v.toml",
        "[venue]\nid = \"v\"\n[plugins]\ndir = \"plugins\"\nload = [\"alpha\", \"beta\"]\n");
    LoadOptions options = options_for(venue);
    options.check_files = true;
    ConfigIssue issue = only_issue(load(options));
    EXPECT_EQ(issue.key, "plugins.load[1]");
    EXPECT_EQ(issue.line, 5u);
    EXPECT_EQ(issue.column, 18u);
    EXPECT_EQ(issue.message,
              "plugin \"beta\": library not found at " + (dir.path() / "plugins/beta.so").string());
    EXPECT_TRUE(load(options_for(venue)).ok());  // the check can be turned off
}

TEST(ConfigErrors, PluginsNeedADir) {
    TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n[plugins]\nload = [\"alpha\"]\n");
    ConfigIssue issue = only_issue(load(options_for(venue)));
    EXPECT_EQ(issue.key, "plugins.dir");
}

TEST(ConfigErrors, MissingPolicyOverrideFile) {
    TempDir dir;
    auto venue =
        dir.write("v.toml", "[venue]\nid = \"v\"\n[policies.overrides]\nfees = \"fees-v.lua\"\n");
    LoadOptions options = options_for(venue);
    options.check_files = true;
    ConfigIssue issue = only_issue(load(options));
    EXPECT_EQ(issue.key, "policies.overrides.fees");
    EXPECT_EQ(issue.line, 4u);
    dir.write("fees-v.lua", "return {}");
    EXPECT_TRUE(load(options).ok());
}

TEST(ConfigErrors, PluginSectionForPluginNotLoaded) {
    TempDir dir;
    auto venue = dir.write(
        "v.toml",
        "[venue]\nid = \"v\"\n[plugins]\ndir = \".\"\nload = [\"hello\"]\n[plugin.helo]\nx = 1\n");
    ConfigIssue issue = only_issue(load(options_for(venue)));
    EXPECT_EQ(issue.key, "plugin.helo");
    EXPECT_EQ(issue.line, 6u);
    EXPECT_EQ(
        issue.message,
        "section for plugin \"helo\", which is not in plugins.load (did you mean \"hello\"?)");
}

TEST(ConfigErrors, DuplicatePlugin) {
    TempDir dir;
    auto venue = dir.write(
        "v.toml",
        "[venue]\nid = \"v\"\n[plugins]\ndir = \".\"\nload = [\"a\", \"b\", \"a\", \"Bad\"]\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_EQ(outcome.issues.size(), 2u) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.issues[0].key, "plugins.load[2]");
    EXPECT_EQ(outcome.issues[0].message, "plugin \"a\" is listed more than once");
    EXPECT_EQ(outcome.issues[1].key, "plugins.load[3]");
}

TEST(ConfigErrors, BadTomlSyntaxGivesLine) {
    TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n\n[server\nport = 1\n");
    ConfigIssue issue = only_issue(load(options_for(venue)));
    EXPECT_EQ(issue.file, venue.string());
    EXPECT_EQ(issue.line, 4u);
    EXPECT_NE(issue.message.find("TOML syntax error"), std::string::npos) << issue.message;
}

TEST(ConfigErrors, SyntaxErrorsInBothFilesAreReported) {
    TempDir dir;
    auto defaults = dir.write("config/admitd.toml", "x = = 1\n");
    auto venue = dir.write("config/venues/v.toml", "[venue\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_EQ(outcome.issues.size(), 2u) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.issues[0].file, venue.string());
    EXPECT_EQ(outcome.issues[1].file,
              (dir.path() / "config/admitd.toml").lexically_normal().string());
}

TEST(ConfigErrors, KafkaNeedsBrokersAndStringProperties) {
    TempDir dir;
    auto venue = dir.write("v.toml",
                           "[venue]\nid = \"v\"\n[events]\nbackend = \"kafka\"\n"
                           "[events.kafka.properties]\n\"linger.ms\" = 5\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_EQ(outcome.issues.size(), 2u) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.issues[0].key, R"(events.kafka.properties."linger.ms")");
    EXPECT_EQ(outcome.issues[1].key, "events.backend");
    EXPECT_EQ(outcome.issues[1].message, "backend \"kafka\" needs events.kafka.brokers");
}

TEST(ConfigErrors, SeveralErrorsAcrossBothFilesReportedTogether) {
    TempDir dir;
    auto defaults =
        dir.write("config/admitd.toml", "[server]\nworkers = 2000\n[log]\nformat = 3\n");
    auto venue = dir.write(
        "config/venues/v.toml",
        "[venue]\nid = \"v\"\n[server]\nprot = 1\n[redis]\nport = 0\n[jobs]\npoll_ms = true\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_EQ(outcome.issues.size(), 5u) << testing::issues_text(outcome);
    const std::string defaults_name =
        (dir.path() / "config/admitd.toml").lexically_normal().string();
    auto has = [&](const std::string& file, const std::string& key, std::uint32_t line) {
        return std::any_of(outcome.issues.begin(), outcome.issues.end(),
                           [&](const ConfigIssue& issue) {
                               return issue.file == file && issue.key == key && issue.line == line;
                           });
    };
    EXPECT_TRUE(has(defaults_name, "server.workers", 2));
    EXPECT_TRUE(has(defaults_name, "log.format", 4));
    EXPECT_TRUE(has(venue.string(), "server.prot", 4));
    EXPECT_TRUE(has(venue.string(), "redis.port", 6));
    EXPECT_TRUE(has(venue.string(), "jobs.poll_ms", 8));
    EXPECT_FALSE(outcome.config.has_value());
    const std::string message = outcome.error().message;
    EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 4);
}

}  // namespace
}  // namespace admit::config

namespace admit::config {
namespace {

TEST(ConfigOutbound, ReadsTheSectionAndRefusesOutOfRangeBreakerNumbers) {
    testing::TempDir dir;
    auto good = dir.write("good.toml",
                          "[venue]\nid = \"v\"\n[outbound]\nread_timeout_ms = 5000\n"
                          "breaker_open_ms = 500\nca_file = \"ca.pem\"\n");
    LoadOutcome loaded = load(testing::options_for(good));
    ASSERT_TRUE(loaded.ok()) << testing::issues_text(loaded);
    EXPECT_EQ(loaded.config->outbound.read_timeout_ms, 5000u);
    EXPECT_EQ(loaded.config->outbound.breaker_open_ms, 500u);
    EXPECT_EQ(loaded.config->outbound.breaker_window, 10u);  // URR's default
    EXPECT_EQ(loaded.config->outbound.ca_file, dir.path() / "ca.pem");

    auto bad = dir.write("bad.toml",
                         "[venue]\nid = \"v\"\n[outbound]\nbreaker_failure_percent = 0\n"
                         "max_attempts = 11\n");
    LoadOutcome refused = load(testing::options_for(bad));
    ASSERT_EQ(refused.issues.size(), 2u) << testing::issues_text(refused);
    EXPECT_EQ(refused.issues[0].key, "outbound.max_attempts");
    EXPECT_EQ(refused.issues[1].key, "outbound.breaker_failure_percent");
}

}  // namespace
}  // namespace admit::config

// Loading and merging: which defaults file is used, how the venue file overrides it, and how
// relative paths resolve against the file that set them.
#include "config_test_support.hpp"

#include <gtest/gtest.h>

namespace admit::config {
namespace {

using testing::options_for;
using testing::TempDir;

constexpr const char* kMinimalVenue = "[venue]\nid = \"v1\"\n";

TEST(ConfigLoad, VenueMergesOverDefaultsKeyByKey) {
    TempDir dir;
    dir.write("config/admitd.toml",
              "[server]\nport = 9000\nworkers = 8\n[log]\nlevel = \"debug\"\n"
              "[plugins]\ndir = \"plugins\"\nload = [\"a\", \"b\"]\n[events.kafka]\ntopic_prefix = "
              "\"x.\"\n");
    auto venue = dir.write(
        "config/venues/v1.toml",
        "[venue]\nid = \"v1\"\nname = \"Hall\"\n[server]\nport = 9100\n"
        "[plugins]\nload = [\"c\"]\n[events]\nrelay_batch = 10\ndelivery_poll_ms = 250\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    const HostConfig& config = *outcome.config;
    EXPECT_EQ(config.venue.id, "v1");
    EXPECT_EQ(config.venue.name, "Hall");
    EXPECT_EQ(config.server.port, 9100);   // venue scalar replaces
    EXPECT_EQ(config.server.workers, 8u);  // defaults kept where the venue is silent
    EXPECT_EQ(config.log.level, LogLevel::debug);
    EXPECT_EQ(config.plugins.load, std::vector<std::string>{"c"});  // arrays replace, not append
    EXPECT_EQ(config.events.relay_batch, 10u);
    EXPECT_EQ(config.events.delivery_poll_ms, 250u);
    EXPECT_EQ(config.events.relay_poll_ms, 50u);  // built-in default
    EXPECT_EQ(config.events.kafka.topic_prefix, "x.");
    ASSERT_TRUE(config.defaults_file.has_value());
    EXPECT_EQ(*config.defaults_file, (dir.path() / "config/admitd.toml").lexically_normal());
}

TEST(ConfigLoad, BuiltInDefaultsWithoutDefaultsFile) {
    TempDir dir;
    auto venue = dir.write("a/b/v.toml", kMinimalVenue);
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    const HostConfig& config = *outcome.config;
    EXPECT_FALSE(config.defaults_file.has_value());
    EXPECT_EQ(config.venue.currency, "KRW");
    EXPECT_EQ(config.venue.timezone, "UTC");
    EXPECT_EQ(config.server.address, "127.0.0.1");
    EXPECT_EQ(config.server.port, 8080);
    EXPECT_EQ(config.server.workers, 16u);
    EXPECT_EQ(config.server.body_limit_bytes, 1024u * 1024u);
    EXPECT_EQ(config.database.url, "postgresql://admit@127.0.0.1:55432/admit");
    EXPECT_EQ(config.redis.port, 56379);
    EXPECT_FALSE(config.redis.password.has_value());
    EXPECT_EQ(config.events.backend, EventsBackend::inproc);
    EXPECT_EQ(config.policies.instruction_budget, 1'000'000u);
    EXPECT_EQ(config.policies.dir, dir.path() / "policies");  // ../../policies from a/b/
    EXPECT_TRUE(config.plugins.load.empty());
    EXPECT_FALSE(config.testing.manual_clock);
}

TEST(ConfigLoad, DefaultsKeyIsRelativeToVenueFile) {
    TempDir dir;
    dir.write("shared/host.toml", "[server]\nworkers = 3\n");
    dir.write("venues/admitd.toml", "[server]\nworkers = 99\n");  // conventional place: not used
    auto venue = dir.write("venues/deep/v.toml",
                           std::string("defaults = \"../../shared/host.toml\"\n") + kMinimalVenue);
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.config->server.workers, 3u);
    EXPECT_EQ(*outcome.config->defaults_file, dir.path() / "shared/host.toml");
}

TEST(ConfigLoad, DefaultsOptionWinsOverDefaultsKey) {
    TempDir dir;
    dir.write("shared/host.toml", "[server]\nworkers = 3\n");
    auto other = dir.write("other.toml", "[server]\nworkers = 5\n");
    auto venue =
        dir.write("v/v.toml", std::string("defaults = \"../shared/host.toml\"\n") + kMinimalVenue);
    LoadOptions options = options_for(venue);
    options.defaults_file = other;
    LoadOutcome outcome = load(options);
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.config->server.workers, 5u);
}

TEST(ConfigLoad, NamedDefaultsFileMissingIsAnError) {
    TempDir dir;
    auto venue =
        dir.write("v/v.toml", std::string("defaults = \"../nope.toml\"\n") + kMinimalVenue);
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_FALSE(outcome.ok());
    ASSERT_EQ(outcome.issues.size(), 1u) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.issues[0].file, (dir.path() / "nope.toml").string());
    EXPECT_EQ(outcome.issues[0].message, "file not found");
}

TEST(ConfigLoad, MissingVenueFileIsAnIssueNotAThrow) {
    TempDir dir;
    LoadOutcome outcome = load(options_for(dir.path() / "absent.toml"));
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.issues.at(0).to_string(),
              (dir.path() / "absent.toml").string() + ": file not found");
    EXPECT_EQ(outcome.error().code, "CONFIG_INVALID");

    LoadOutcome directory = load(options_for(dir.path()));
    EXPECT_FALSE(directory.ok());
}

TEST(ConfigLoad, PathsResolveAgainstTheFileThatSetThem) {
    TempDir dir;
    dir.write("config/admitd.toml",
              "[plugins]\ndir = \"../build/plugins\"\n[policies]\ndir = \"../policies\"\n");
    auto venue =
        dir.write("config/venues/v.toml",
                  std::string(kMinimalVenue) + "[policies.overrides]\nfees = \"fees-v.lua\"\n");
    LoadOutcome from_defaults = load(options_for(venue));
    ASSERT_TRUE(from_defaults.ok()) << testing::issues_text(from_defaults);
    EXPECT_EQ(from_defaults.config->plugins.dir, dir.path() / "build/plugins");
    EXPECT_EQ(from_defaults.config->policies.dir, dir.path() / "policies");
    EXPECT_EQ(from_defaults.config->policies.overrides.at("fees"),
              dir.path() / "config/venues/fees-v.lua");
    EXPECT_EQ(from_defaults.config->plugins.library_path("auth"),
              dir.path() / "build/plugins/auth.so");

    dir.write("config/venues/v.toml", std::string(kMinimalVenue) + "[plugins]\ndir = \"libs\"\n");
    LoadOutcome from_venue = load(options_for(venue));
    ASSERT_TRUE(from_venue.ok()) << testing::issues_text(from_venue);
    EXPECT_EQ(from_venue.config->plugins.dir, dir.path() / "config/venues/libs");
}

TEST(ConfigLoad, PluginSectionsBecomeJson) {
    TempDir dir;
    auto venue = dir.write(
        "v.toml",
        std::string(kMinimalVenue) +
            "[plugins]\ndir = \".\"\nload = [\"hello\", \"other\"]\n"
            "[plugin.hello]\ngreeting = \"hi \\\"you\\\"\"\ncount = 3\n"
            "ratio = 0.5\non = true\nlist = [1, \"two\"]\n[plugin.hello.nested]\nx = 1\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    const auto& sections = outcome.config->plugin_sections_json;
    ASSERT_EQ(sections.size(), 1u);  // "other" has no section
    EXPECT_EQ(
        sections.at("hello"),
        R"({"count":3,"greeting":"hi \"you\"","list":[1,"two"],"nested":{"x":1},"on":true,"ratio":5E-1})");
}

TEST(ConfigLoad, PluginPathKeysResolveAgainstTheFileThatSetsThem) {
    TempDir dir;
    dir.write("config/admitd.toml", "[plugin.hello]\nshared_dir = \"common\"\n");
    auto venue = dir.write(
        "config/venues/v.toml",
        std::string(kMinimalVenue) +
            "[plugins]\ndir = \".\"\nload = [\"hello\"]\n"
            "[plugin.hello]\ntemplates_dir = \"v/notifications\"\nca_file = \"/etc/ca.pem\"\n"
            "key_path = \"../keys/k.pem\"\nunset_dir = \"\"\ngreeting = \"not/a/path\"\n"
            "[plugin.hello.nested]\ninner_dir = \"x\"\n");
    LoadOutcome outcome = load(options_for(venue));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    const std::string& json = outcome.config->plugin_sections_json.at("hello");
    auto has = [&](const std::string& member) { return json.find(member) != std::string::npos; };
    // Relative to the venue file's directory, or to the defaults file's for what it set.
    EXPECT_TRUE(has("\"templates_dir\":\"" +
                    (dir.path() / "config/venues/v/notifications").string() + "\""))
        << json;
    EXPECT_TRUE(has("\"key_path\":\"" + (dir.path() / "config/keys/k.pem").string() + "\""))
        << json;
    EXPECT_TRUE(has("\"shared_dir\":\"" + (dir.path() / "config/common").string() + "\"")) << json;
    // Absolute paths, empty values, other keys and nested tables stay as written.
    EXPECT_TRUE(has(R"("ca_file":"/etc/ca.pem")")) << json;
    EXPECT_TRUE(has(R"("unset_dir":"")")) << json;
    EXPECT_TRUE(has(R"("greeting":"not/a/path")")) << json;
    EXPECT_TRUE(has(R"("inner_dir":"x")")) << json;
}

TEST(ConfigLoad, PluginFilesArePresentWhenChecked) {
    TempDir dir;
    dir.write("plugins/hello.so", "not really a library");
    auto venue = dir.write("v.toml", std::string(kMinimalVenue) +
                                         "[plugins]\ndir = \"plugins\"\nload = [\"hello\"]\n");
    LoadOptions options = options_for(venue);
    options.check_files = true;
    LoadOutcome outcome = load(options);
    EXPECT_TRUE(outcome.ok()) << testing::issues_text(outcome);
}

}  // namespace
}  // namespace admit::config

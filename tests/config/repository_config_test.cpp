// The config files shipped in the repository parse cleanly and say what the demo needs.
#include "config_test_support.hpp"
#include "host/config/describe.hpp"

#include <gtest/gtest.h>

namespace admit::config {
namespace {

const std::filesystem::path kSource = ADMIT_SOURCE_DIR;

TEST(RepositoryConfig, DemoVenueLoadsOverHostDefaults) {
    LoadOutcome outcome = load(testing::options_for(kSource / "config/venues/demo.toml"));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    const HostConfig& config = *outcome.config;
    EXPECT_EQ(config.defaults_file, kSource / "config/admitd.toml");
    EXPECT_EQ(config.venue.id, "demo");
    EXPECT_EQ(config.venue.name, "Admit Demo Hall");
    EXPECT_EQ(config.venue.currency, "KRW");
    EXPECT_EQ(config.venue.timezone, "Asia/Seoul");
    EXPECT_EQ(config.plugins.dir, kSource / "build/release/plugins");
    EXPECT_EQ(config.plugins.load, (std::vector<std::string>{
                                       "auth", "arthall", "product", "queue", "reservation", "toss",
                                       "payment", "ticket", "web", "log", "notification"}));
    // The web app's cookie sessions: admitd reads the auth plugin's access cookie.
    EXPECT_EQ(config.server.session_cookies.access_token, "__Host-admit_at");
    // toss pays through the simulator that scripts/up starts on 127.0.0.1:8090.
    ASSERT_TRUE(config.plugin_sections_json.contains("toss"));
    EXPECT_NE(config.plugin_sections_json.at("toss").find("\"http://127.0.0.1:8090\""),
              std::string::npos);
    EXPECT_FALSE(
        config.plugin_sections_json.contains("hello"));  // the demo venue does not load hello
    EXPECT_EQ(config.access.roles,
              (std::vector<std::string>{"customer", "seller", "admin", "staff"}));
    EXPECT_EQ(config.policies.dir, kSource / "policies");
    EXPECT_FALSE(describe(config).empty());
}

TEST(RepositoryConfig, BenchVenueLoadsWithItsRateLimitOverride) {
    LoadOutcome outcome = load(testing::options_for(kSource / "config/venues/bench.toml"));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    EXPECT_EQ(outcome.config->venue.id, "bench");
    EXPECT_EQ(outcome.config->policies.overrides.at("ratelimits"),
              kSource / "config/venues/bench-policies/ratelimits.lua");
}

TEST(RepositoryConfig, HostDefaultsMatchBuiltInDefaults) {
    // admitd.toml documents the built-in defaults: loading it must change nothing but paths.
    testing::TempDir dir;
    auto venue = dir.write("v.toml", "[venue]\nid = \"v\"\n");
    LoadOptions with_defaults = testing::options_for(venue);
    with_defaults.defaults_file = kSource / "config/admitd.toml";
    LoadOutcome documented = load(with_defaults);
    LoadOutcome built_in = load(testing::options_for(venue));
    ASSERT_TRUE(documented.ok()) << testing::issues_text(documented);
    ASSERT_TRUE(built_in.ok()) << testing::issues_text(built_in);
    HostConfig expected = *built_in.config;
    expected.defaults_file = documented.config->defaults_file;
    expected.policies.dir = documented.config->policies.dir;
    EXPECT_EQ(describe(*documented.config), describe(expected));
}

}  // namespace
}  // namespace admit::config

namespace admit::config {
namespace {

TEST(RepositoryConfig, DescribeOutputIsAValidVenueFile) {
    LoadOutcome demo = load(testing::options_for(kSource / "config/venues/demo.toml"));
    ASSERT_TRUE(demo.ok()) << testing::issues_text(demo);
    const std::string described = describe(*demo.config);

    testing::TempDir dir;
    auto copy = dir.write("effective.toml", described);
    LoadOutcome reloaded = load(testing::options_for(copy));
    ASSERT_TRUE(reloaded.ok()) << testing::issues_text(reloaded);
    EXPECT_EQ(reloaded.config->plugins.dir, demo.config->plugins.dir);
    EXPECT_EQ(reloaded.config->plugin_sections_json, demo.config->plugin_sections_json);
    HostConfig expected = *demo.config;
    expected.venue_file = reloaded.config->venue_file;
    expected.defaults_file.reset();
    EXPECT_EQ(describe(*reloaded.config), describe(expected));
}

}  // namespace
}  // namespace admit::config

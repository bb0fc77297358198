// The startup check for split roles ([plugins.requires]): a loaded plugin whose service provider
// this instance does not load is refused before anything starts, naming the missing provider;
// the declaration is read and validated with the rest of the config; admitd refuses to start
// and --check-config reports it.
#include <gtest/gtest.h>

#include <string>

#include "host/plugins/required_providers.hpp"
#include "tests/config/config_test_support.hpp"
#include "tests/support/admitd_process.hpp"

namespace admit {
namespace {

using Required = std::map<std::string, std::vector<std::string>>;

TEST(RequiredProviders, EveryProviderLoadedHereIsAccepted) {
    EXPECT_TRUE(plugins::check_required_providers(
        {"product", "reservation", "payment"},
        Required{{"payment", {"reservation"}}, {"reservation", {"product"}}}));
}

TEST(RequiredProviders, AMissingProviderIsRefusedByName) {
    auto status = plugins::check_required_providers(
        {"auth", "payment"}, Required{{"payment", {"reservation", "toss", "auth"}}});
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, ErrorCode::PLUGIN_MISSING_DEPENDENCY);
    EXPECT_NE(status.error().message.find("plugin payment calls services of reservation, toss"),
              std::string::npos)
        << status.error().message;
}

TEST(RequiredProviders, DeclarationsOfPluginsNotLoadedHereAreIgnored) {
    // One declaration serves a fleet: the booking instances do not load payment.
    EXPECT_TRUE(plugins::check_required_providers(
        {"product", "reservation"},
        Required{{"payment", {"reservation", "toss"}}, {"reservation", {"product"}}}));
}

TEST(RequiredProvidersConfig, TheDeclarationIsRead) {
    config::testing::TempDir dir;
    auto venue = dir.write("v.toml",
                           "[venue]\nid = \"v\"\n[plugins]\nload = []\n[plugins.requires]\n"
                           "payment = [\"reservation\", \"toss\"]\nticket = [\"product\"]\n");
    auto outcome = config::load(config::testing::options_for(venue));
    ASSERT_TRUE(outcome.ok()) << config::testing::issues_text(outcome);
    EXPECT_EQ(outcome.config->plugins.required_providers,
              (Required{{"payment", {"reservation", "toss"}}, {"ticket", {"product"}}}));
}

TEST(RequiredProvidersConfig, ABadNameOrShapeIsAnErrorAtItsKey) {
    config::testing::TempDir dir;
    auto venue = dir.write("v.toml",
                           "[venue]\nid = \"v\"\n[plugins]\nload = []\n[plugins.requires]\n"
                           "payment = [\"Reservation\"]\n\"not-a-plugin\" = [\"x\"]\nticket = 3\n");
    auto outcome = config::load(config::testing::options_for(venue));
    ASSERT_FALSE(outcome.ok());
    const std::string text = config::testing::issues_text(outcome);
    EXPECT_NE(text.find("plugins.requires.payment[0]: \"Reservation\" is not a plugin name"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("plugins.requires.not-a-plugin: \"not-a-plugin\" is not a plugin name"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("plugins.requires.ticket: expected array of strings"), std::string::npos)
        << text;
}

std::filesystem::path split_venue(const config::testing::TempDir& dir) {
    return dir.write("split.toml",
                     "defaults = \"" ADMIT_TEST_SOURCE_DIR
                     "/config/admitd.toml\"\n[venue]\nid = \"split\"\n"
                     "[server]\nport = 0\n[database]\nenabled = false\n"
                     "[redis]\nenabled = false\n[plugins]\ndir = \"" ADMIT_TEST_PLUGIN_DIR
                     "\"\nload = [\"hello\"]\n[plugins.requires]\n"
                     "hello = [\"reservation\"]\n");
}

TEST(RequiredProvidersAdmitd, CheckConfigNamesTheMissingProvider) {
    config::testing::TempDir dir;
    auto result =
        testing::run_command(ADMIT_ADMITD_BINARY, {"--check-config", split_venue(dir).string()});
    EXPECT_NE(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("plugin hello calls services of reservation"), std::string::npos)
        << result.output;
}

TEST(RequiredProvidersAdmitd, AdmitdRefusesToStartNamingTheMissingProvider) {
    config::testing::TempDir dir;
    auto result =
        testing::run_command(ADMIT_ADMITD_BINARY, {"--config", split_venue(dir).string()});
    EXPECT_NE(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("plugin hello calls services of reservation"), std::string::npos)
        << result.output;
}

}  // namespace
}  // namespace admit

// [server.session_cookies] as the config loader reads it: names, the off default, and every
// malformed value reported with its key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/config/config_test_support.hpp"

namespace admit::config {
namespace {

using testing::options_for;
using testing::TempDir;

TEST(SessionCookieConfig, OffByDefault) {
    TempDir dir;
    auto outcome = load(options_for(dir.write("v.toml", "[venue]\nid = \"v\"\n")));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    EXPECT_TRUE(outcome.config->server.session_cookies.access_token.empty());
}

TEST(SessionCookieConfig, ReadsNamesAndOrigins) {
    TempDir dir;
    auto outcome = load(options_for(
        dir.write("v.toml",
                  "[venue]\nid = \"v\"\n[server.session_cookies]\naccess_token = \"__Host-at\"\n"
                  "guarded = [\"__Secure-rt\"]\ntrusted_origins = [\"https://shop.example\"]\n")));
    ASSERT_TRUE(outcome.ok()) << testing::issues_text(outcome);
    const auto& cookies = outcome.config->server.session_cookies;
    EXPECT_EQ(cookies.access_token, "__Host-at");
    EXPECT_EQ(cookies.guarded, std::vector<std::string>{"__Secure-rt"});
    EXPECT_EQ(cookies.trusted_origins, std::vector<std::string>{"https://shop.example"});
}

TEST(SessionCookieConfig, ReportsBadNamesOriginsAndUnknownKeys) {
    TempDir dir;
    auto outcome = load(options_for(dir.write(
        "v.toml",
        "[venue]\nid = \"v\"\n[server.session_cookies]\naccess_token = \"a b\"\n"
        "guarded = [\"ok\", \"x;y\"]\ntrusted_origins = [\"*\", \"https://shop.example/app\"]\n"
        "samesite = \"Lax\"\n")));
    std::vector<std::string> keys;
    for (const auto& issue : outcome.issues) keys.push_back(issue.key);
    EXPECT_EQ(keys,
              (std::vector<std::string>{
                  "server.session_cookies.access_token", "server.session_cookies.guarded[1]",
                  "server.session_cookies.trusted_origins[0]",
                  "server.session_cookies.trusted_origins[1]", "server.session_cookies.samesite"}))
        << testing::issues_text(outcome);
}

}  // namespace
}  // namespace admit::config

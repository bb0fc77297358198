// The web plugin in a real admitd over HTTP: what a browser gets for the app's index, its hashed
// bundle, client-side routes, revalidation and hostile paths. No storage: the venue loads `web`.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "asset_folder.hpp"
#include "static_responder.hpp"
#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::web {
namespace {

using admit::testing::AdmitdProcess;
using admit::testing::http_raw;
using admit::testing::http_request;
using admit::testing::HttpResult;

class WebHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        folder_ = std::make_unique<testing::AssetFolder>();
        auto venue = admit::testing::venue_toml(
            {.plugins = {"web"},
             .extra_toml = "[plugin.web]\nroot = \"" + folder_->root().string() +
                           "\"\ntimezone = \"Asia/Seoul\"\n"},
            nullptr);
        auto file = admit::testing::write_temp_file("venue.toml", venue);
        admitd_ = std::make_unique<AdmitdProcess>(ADMIT_ADMITD_BINARY,
                                                  std::vector<std::string>{"--config", file});
        port_ = admitd_->wait_until_serving();
        ASSERT_TRUE(port_) << admitd_->log();
    }
    static void TearDownTestSuite() {
        admitd_.reset();
        folder_.reset();
    }
    void SetUp() override { ASSERT_TRUE(port_) << "admitd did not start"; }

    static HttpResult get(const std::string& target,
                          const std::map<std::string, std::string>& headers = {}) {
        return http_request(*port_, "GET", target, "", headers);
    }

    static inline std::unique_ptr<testing::AssetFolder> folder_;
    static inline std::unique_ptr<AdmitdProcess> admitd_;
    static inline std::optional<uint16_t> port_;
};

TEST_F(WebHttp, RootSendsTheBrowserToTheApp) {
    auto r = get("/");
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(r.headers["location"], "/app");
}

TEST_F(WebHttp, IndexIsServedWithAStrictPolicyAndRevalidated) {
    for (const std::string target : {"/app", "/app/index.html"}) {
        auto r = get(target);
        ASSERT_EQ(r.status, 200) << target << " " << r.body;
        EXPECT_EQ(r.body, testing::AssetFolder::kIndex);
        EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
        EXPECT_EQ(r.headers["cache-control"], "no-cache");
        EXPECT_EQ(r.headers["content-security-policy"], kContentSecurityPolicy);
        EXPECT_EQ(r.headers["content-security-policy"].find("unsafe-inline"), std::string::npos);
        ASSERT_FALSE(r.headers["etag"].empty());
        auto again = get(target, {{"If-None-Match", r.headers["etag"]}});
        EXPECT_EQ(again.status, 304);
        EXPECT_TRUE(again.body.empty());
        EXPECT_EQ(again.headers["etag"], r.headers["etag"]);
    }
}

TEST_F(WebHttp, ClientSideRoutesGetTheIndex) {
    auto r = get("/app/shows/prd_123/schedules/sch_9");
    ASSERT_EQ(r.status, 200) << r.error << "\n" << admitd_->log();
    EXPECT_EQ(r.body, testing::AssetFolder::kIndex);
    EXPECT_EQ(r.headers["cache-control"], "no-cache");
}

TEST_F(WebHttp, HashedBundleIsImmutableAndSentGzippedWhenAccepted) {
    auto plain = get("/app/assets/index-3f2a.js");
    ASSERT_EQ(plain.status, 200);
    EXPECT_EQ(plain.body, testing::AssetFolder::kBundle);
    EXPECT_EQ(plain.headers["cache-control"], "public, max-age=31536000, immutable");
    EXPECT_EQ(plain.headers["content-type"], "text/javascript; charset=utf-8");
    EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
    EXPECT_EQ(plain.headers["vary"], "Accept-Encoding");

    auto gzip = get("/app/assets/index-3f2a.js", {{"Accept-Encoding", "gzip, deflate, br"}});
    ASSERT_EQ(gzip.status, 200);
    EXPECT_EQ(gzip.body, testing::AssetFolder::bundle_gzip());
    EXPECT_EQ(gzip.headers["content-encoding"], "gzip");
    EXPECT_NE(gzip.headers["etag"], plain.headers["etag"]);
}

TEST_F(WebHttp, MissingAssetIsANotFoundErrorNotTheIndex) {
    auto r = get("/app/assets/index-0000.js");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("\"code\":\"NOT_FOUND\""), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("\"traceId\""), std::string::npos) << r.body;
}

TEST_F(WebHttp, PathTraversalIsRefused) {
    for (const std::string target :
         {"/app/../../etc/passwd", "/app/assets/../../../etc/passwd",
          "/app/%2e%2e/%2e%2e/etc/passwd", "/app/assets/..%2f..%2fetc%2fpasswd",
          "/app/assets/..\\..\\etc\\passwd"}) {
        auto raw = http_raw(
            *port_, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        EXPECT_EQ(raw.find("root:"), std::string::npos) << target;
        EXPECT_TRUE(raw.starts_with("HTTP/1.1 400") || raw.starts_with("HTTP/1.1 404"))
            << target << "\n"
            << raw.substr(0, 200);
    }
}

TEST_F(WebHttp, VenueFactsForTheAppAreServed) {
    auto r = get("/app/venue.json");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"timezone":"Asia/Seoul"})");
}

TEST(WebConfig, AMissingAppFolderOrABadZoneStopsTheStart) {
    for (const std::string section :
         {"[plugin.web]\nroot = \"/nonexistent/admit-web\"\n",
          "[plugin.web]\nroot = \"/tmp\"\ntimezone = \"Asia/Seoul; rm\"\n"}) {
        testing::AssetFolder folder;
        std::string toml = section;
        if (toml.find("/tmp") != std::string::npos)
            toml.replace(toml.find("/tmp"), 4, folder.root().string());
        auto file = admit::testing::write_temp_file(
            "venue.toml",
            admit::testing::venue_toml({.plugins = {"web"}, .extra_toml = toml}, nullptr));
        AdmitdProcess admitd(ADMIT_ADMITD_BINARY, {"--config", file});
        EXPECT_FALSE(admitd.wait_until_serving()) << section;
        const auto log = admitd.log();
        EXPECT_TRUE(log.find("does not exist") != std::string::npos ||
                    log.find("IANA zone") != std::string::npos)
            << log;
    }
}

TEST_F(WebHttp, ApiPathsAreNotSwallowedByTheApp) {
    auto r = get("/api/v1/nothing-here");
    EXPECT_EQ(r.status, 404);
    EXPECT_NE(r.body.find("NOT_FOUND"), std::string::npos);
}

}  // namespace
}  // namespace admit::web

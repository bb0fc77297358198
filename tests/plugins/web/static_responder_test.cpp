// The catalog and the responder without a server: what is listed, and the header rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "asset_catalog.hpp"
#include "asset_folder.hpp"
#include "static_responder.hpp"

namespace admit::web {
namespace {

using testing::AssetFolder;

std::string header_of(const sdk::Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
        if (key == name) return value;
    }
    return {};
}

TEST(AssetCatalog, ListsFilesAndAttachesGzipTwins) {
    AssetFolder folder;
    auto catalog = AssetCatalog::load(folder.root());
    ASSERT_TRUE(catalog) << catalog.error().message;
    EXPECT_EQ(catalog->size(), 3u);  // index.html, the bundle, the favicon; the .gz is no file
    EXPECT_EQ(catalog->find("assets/index-3f2a.js.gz"), nullptr);
    const Asset* bundle = catalog->find("assets/index-3f2a.js");
    ASSERT_NE(bundle, nullptr);
    ASSERT_TRUE(bundle->gzip);
    EXPECT_EQ(*bundle->gzip, AssetFolder::bundle_gzip());
    EXPECT_TRUE(bundle->immutable);
    EXPECT_EQ(bundle->content_type, "text/javascript; charset=utf-8");
    EXPECT_NE(bundle->etag, bundle->gzip_etag);
    EXPECT_FALSE(catalog->index().immutable);
}

TEST(AssetCatalog, RefusesAFolderWithoutIndex) {
    AssetFolder folder;
    std::filesystem::remove(folder.root() / "index.html");
    auto catalog = AssetCatalog::load(folder.root());
    ASSERT_FALSE(catalog);
    EXPECT_NE(catalog.error().message.find("index.html"), std::string::npos);
}

TEST(AssetCatalog, RefusesAMissingFolder) {
    auto catalog = AssetCatalog::load("/nonexistent/admit-web-app");
    ASSERT_FALSE(catalog);
    EXPECT_NE(catalog.error().message.find("does not exist"), std::string::npos);
}

TEST(AssetCatalog, RefusesMoreThanTheSizeLimit) {
    AssetFolder folder;
    auto catalog = AssetCatalog::load(folder.root(), 64);
    ASSERT_FALSE(catalog);
    EXPECT_NE(catalog.error().message.find("exceeds"), std::string::npos);
}

TEST(AssetCatalog, SkipsSymbolicLinks) {
    AssetFolder folder;
    std::filesystem::create_symlink("/etc/hostname", folder.root() / "hostname");
    auto catalog = AssetCatalog::load(folder.root());
    ASSERT_TRUE(catalog) << catalog.error().message;
    EXPECT_EQ(catalog->find("hostname"), nullptr);
}

TEST(Negotiation, AcceptsGzipUnlessRefused) {
    EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
    EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
    EXPECT_TRUE(accepts_gzip("*"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0.000"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0, *"));  // the explicit entry decides over the wildcard
    EXPECT_FALSE(accepts_gzip("br, deflate"));
    EXPECT_FALSE(accepts_gzip(std::nullopt));
}

TEST(Negotiation, IfNoneMatchUsesTheWeakComparison) {
    EXPECT_TRUE(etag_matches("\"a\"", "\"a\""));
    EXPECT_TRUE(etag_matches("W/\"a\"", "\"a\""));
    EXPECT_TRUE(etag_matches("\"b\", \"a\"", "\"a\""));
    EXPECT_TRUE(etag_matches("*", "\"a\""));
    EXPECT_FALSE(etag_matches("\"b\"", "\"a\""));
    EXPECT_FALSE(etag_matches(std::nullopt, "\"a\""));
}

TEST(Segments, DotSegmentsAndEncodingsAreUnsafe) {
    EXPECT_TRUE(is_safe_segment("index-3f2a.js"));
    EXPECT_TRUE(is_safe_segment(".well-known"));
    EXPECT_FALSE(is_safe_segment(".."));
    EXPECT_FALSE(is_safe_segment("."));
    EXPECT_FALSE(is_safe_segment(""));
    EXPECT_FALSE(is_safe_segment("%2e%2e"));
    EXPECT_FALSE(is_safe_segment("a\\b"));
    EXPECT_FALSE(is_safe_segment(std::string_view("a\0b", 3)));
}

TEST(StaticResponder, IndexIsRevalidatedAndCarriesTheSecurityPolicy) {
    AssetFolder folder;
    StaticResponder responder(*AssetCatalog::load(folder.root()));
    auto response = responder.answer({});
    EXPECT_EQ(response.status, 200);
    ASSERT_TRUE(response.shared_body);
    EXPECT_EQ(*response.shared_body, AssetFolder::kIndex);
    EXPECT_EQ(header_of(response, "Cache-Control"), "no-cache");
    EXPECT_EQ(header_of(response, "Content-Security-Policy"), kContentSecurityPolicy);
    EXPECT_EQ(header_of(response, "X-Content-Type-Options"), "nosniff");
    EXPECT_FALSE(header_of(response, "ETag").empty());
}

TEST(StaticResponder, UnknownAssetIsNotFoundButUnknownRouteIsTheIndex) {
    AssetFolder folder;
    StaticResponder responder(*AssetCatalog::load(folder.root()));
    auto missing = responder.answer({.segments = {"assets", "gone-1234.js"}});
    EXPECT_EQ(missing.status, 404);
    ASSERT_TRUE(missing.api_error);
    EXPECT_EQ(missing.api_error->code, "NOT_FOUND");
    auto route = responder.answer({.segments = {"shows", "prd_1"}});
    EXPECT_EQ(route.status, 200);
    ASSERT_TRUE(route.shared_body);
    EXPECT_EQ(*route.shared_body, AssetFolder::kIndex);
}

TEST(StaticResponder, RefusesADotSegment) {
    AssetFolder folder;
    StaticResponder responder(*AssetCatalog::load(folder.root()));
    auto response = responder.answer({.segments = {"assets", "..", "..", "etc", "passwd"}});
    EXPECT_EQ(response.status, 400);
    ASSERT_TRUE(response.api_error);
    EXPECT_EQ(response.api_error->code, "INVALID_REQUEST");
}

}  // namespace
}  // namespace admit::web

// Content negotiation and entity tags of the seat map (plugins/product/src/http_caching).
#include <gtest/gtest.h>

#include "plugins/product/src/http_caching.hpp"

namespace admit::product {
namespace {

TEST(AcceptsGzip, FollowsTheCodingListAndItsQualities) {
    EXPECT_FALSE(accepts_gzip(std::nullopt));
    EXPECT_FALSE(accepts_gzip(""));
    EXPECT_TRUE(accepts_gzip("gzip"));
    EXPECT_TRUE(accepts_gzip("br, GZIP;q=0.5"));
    EXPECT_TRUE(accepts_gzip("deflate, x-gzip"));
    EXPECT_TRUE(accepts_gzip("*"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0"));
    EXPECT_FALSE(accepts_gzip("gzip;q=0.0, *"));  // an explicit refusal beats the wildcard
    EXPECT_FALSE(accepts_gzip("*;q=0"));
    EXPECT_FALSE(accepts_gzip("identity, br"));
    EXPECT_FALSE(accepts_gzip("gzipped"));
}

TEST(EtagMatches, UsesTheWeakComparisonOfIfNoneMatch) {
    const std::string tag = entity_tag("body");
    EXPECT_TRUE(etag_matches(tag, tag));
    EXPECT_TRUE(etag_matches("W/" + tag, tag));
    EXPECT_TRUE(etag_matches("\"a\", " + tag + " , \"b\"", tag));
    EXPECT_TRUE(etag_matches("*", tag));
    EXPECT_FALSE(etag_matches(std::nullopt, tag));
    EXPECT_FALSE(etag_matches("\"a\"", tag));
    EXPECT_FALSE(etag_matches(entity_tag("body", ".gz"), tag));
}

TEST(EntityTag, IsQuotedAndNamesTheBytes) {
    const std::string tag = entity_tag("body");
    ASSERT_EQ(tag.size(), 18u);
    EXPECT_EQ(tag.front(), '"');
    EXPECT_EQ(tag.back(), '"');
    EXPECT_NE(tag, entity_tag("body2"));
    EXPECT_EQ(entity_tag("body", ".gz"), tag.substr(0, 17) + ".gz\"");
}

TEST(GzipCompress, ShrinksRepetitiveJson) {
    std::string map = "{\"seats\":[";
    for (int i = 0; i < 1000; ++i)
        map += "[\"seat_" + std::to_string(i) + "\",\"A\",1,2,3,\"AVAILABLE\"],";
    map += "]}";
    auto packed = gzip_compress(map);
    ASSERT_TRUE(packed);
    EXPECT_LT(packed->size() * 4, map.size());
    EXPECT_EQ(static_cast<unsigned char>((*packed)[0]), 0x1f);  // gzip magic
    EXPECT_EQ(static_cast<unsigned char>((*packed)[1]), 0x8b);
}

}  // namespace
}  // namespace admit::product

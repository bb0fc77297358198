// VerifiedTokenCache and KeyRing::generation without servers: hits only for the identical token
// under the same key-ring generation, the bound on entries, the disabled cache, and the time
// re-check a cached verification relies on.
#include "verified_token_cache.hpp"
#include "access_token.hpp"
#include "key_ring.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

namespace admit::auth {
namespace {

constexpr int64_t kNow = 1'800'000'000;

AccessClaims claims_for(const std::string& user) {
    return {user, "customer", "", "ses_" + user, 1, kNow, kNow, kNow + 600, "at_" + user};
}

TEST(VerifiedTokenCache, AnswersOnlyTheIdenticalTokenUnderTheSameGeneration) {
    VerifiedTokenCache cache(100);
    cache.insert("token-a", claims_for("usr_a"), 7);
    auto hit = cache.find("token-a", 7);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->subject, "usr_a");
    EXPECT_EQ(hit->session, "ses_usr_a");
    EXPECT_FALSE(cache.find("token-b", 7).has_value());
    EXPECT_FALSE(cache.find("token-a ", 7).has_value());
    EXPECT_FALSE(cache.find("token-a", 8).has_value()) << "a newer key ring must verify again";
    EXPECT_FALSE(cache.find("token-a", 7).has_value()) << "the stale entry is dropped";
}

TEST(VerifiedTokenCache, StaysWithinTwiceItsCapacityAndKeepsRecentEntries) {
    VerifiedTokenCache cache(64);
    for (int i = 0; i < 10'000; ++i)
        cache.insert("token-" + std::to_string(i), claims_for(std::to_string(i)), 1);
    EXPECT_LE(cache.size(), 2u * 64u);
    EXPECT_TRUE(cache.find("token-9999", 1).has_value());
    EXPECT_FALSE(cache.find("token-0", 1).has_value());
}

TEST(VerifiedTokenCache, ZeroCapacityNeverHits) {
    VerifiedTokenCache cache(0);
    cache.insert("token-a", claims_for("usr_a"), 1);
    EXPECT_FALSE(cache.find("token-a", 1).has_value());
    EXPECT_EQ(cache.size(), 0u);
}

TEST(VerifiedTokenCache, CachedClaimsAreTimeCheckedAgain) {
    TokenSettings settings;  // leeway 10 s
    const AccessClaims claims = claims_for("usr_a");
    EXPECT_TRUE(token_times_valid(claims, settings, kNow + 1));
    EXPECT_TRUE(token_times_valid(claims, settings, kNow + 609));
    EXPECT_FALSE(token_times_valid(claims, settings, kNow + 610)) << "expired (past exp + leeway)";
    EXPECT_FALSE(token_times_valid(claims, settings, kNow - 11))
        << "not yet valid (before nbf - leeway)";
}

TEST(KeyRingGeneration, MovesOnlyWhenTheVerifyingKeysChange) {
    ASSERT_GE(sodium_init(), 0);
    KeyRing ring;
    auto first = std::make_shared<const SigningKey>(SigningKey::generate(kNow));
    auto second = std::make_shared<const SigningKey>(SigningKey::generate(kNow));
    ring.replace(first, {});
    const uint64_t g1 = ring.generation();
    ring.replace(first, {});
    EXPECT_EQ(ring.generation(), g1) << "a reload that found the same keys";
    ring.replace(second, {first});
    const uint64_t g2 = ring.generation();
    EXPECT_NE(g2, g1);
    ring.replace(second, {});
    EXPECT_NE(ring.generation(), g2) << "a retired key left the ring";
}

}  // namespace
}  // namespace admit::auth

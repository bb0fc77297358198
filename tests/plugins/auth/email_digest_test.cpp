// The keyed email hash (issue 13: never a plain SHA-256 of the address).
#include "email_digest.hpp"
#include "encoding.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace admit::auth {
namespace {

TEST(EmailDigest, IsHmacSha256OfTheNormalisedEmail) {
    ASSERT_GE(sodium_init(), 0);
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    EmailDigest rfc("Jefe");
    EXPECT_EQ(rfc.of("what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

    EmailDigest digest(std::string(32, 'k'));
    EXPECT_EQ(digest.of("  Buyer@Example.COM\t"), digest.of("buyer@example.com"));
    EXPECT_NE(digest.of("buyer@example.com"), sha256_hex("buyer@example.com"))
        << "a dictionary of SHA-256 digests of addresses must not name the account";
    EXPECT_NE(digest.of("buyer@example.com"),
              EmailDigest(std::string(32, 'x')).of("buyer@example.com"))
        << "another deployment's key names the account differently";
    EXPECT_EQ(digest.of("buyer@example.com").size(), 64u);
}

TEST(EmailDigest, NormalisesSpacesAndAsciiCase) {
    EXPECT_EQ(EmailDigest::normalise(" A.B@Example.org "), "a.b@example.org");
    EXPECT_EQ(EmailDigest::normalise("   "), "");
}

}  // namespace
}  // namespace admit::auth

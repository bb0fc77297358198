// RFC 6238 TOTP and RFC 4648 base32, against the RFCs' test vectors.
#include "totp.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace admit::auth::totp {
namespace {

TEST(Totp, MatchesTheRfc6238Sha1TestVectors) {
    const std::string secret = "12345678901234567890";  // RFC 6238 appendix B, SHA-1
    const std::vector<std::pair<int64_t, std::string>> vectors{
        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
    for (const auto& [time, code] : vectors) {
        EXPECT_EQ(code_at(secret, step_of(time), 8), code) << time;
        EXPECT_EQ(code_at(secret, step_of(time)), code.substr(2)) << "6 digits at " << time;
    }
}

TEST(Totp, AcceptsOneStepEitherSideAndNothingElse) {
    ASSERT_GE(sodium_init(), 0);
    const std::string secret = "12345678901234567890";
    const int64_t now = 1111111111;  // step 37037037
    const int64_t step = step_of(now);
    EXPECT_EQ(matching_step(secret, code_at(secret, step), now), step);
    EXPECT_EQ(matching_step(secret, code_at(secret, step - 1), now), step - 1);
    EXPECT_EQ(matching_step(secret, code_at(secret, step + 1), now), step + 1);
    EXPECT_FALSE(matching_step(secret, code_at(secret, step - 2), now));
    EXPECT_FALSE(matching_step(secret, code_at(secret, step + 2), now));
    EXPECT_FALSE(matching_step(secret, "050471 ", now)) << "only six digits";
    EXPECT_FALSE(matching_step(secret, "05047a", now));
    EXPECT_FALSE(matching_step(secret, "", now));
    EXPECT_FALSE(matching_step("another secret of 20 b", code_at(secret, step), now));
}

TEST(Totp, Base32FollowsRfc4648) {
    const std::vector<std::pair<std::string, std::string>> vectors{{"", ""},
                                                                   {"f", "MY"},
                                                                   {"fo", "MZXQ"},
                                                                   {"foo", "MZXW6"},
                                                                   {"foob", "MZXW6YQ"},
                                                                   {"fooba", "MZXW6YTB"},
                                                                   {"foobar", "MZXW6YTBOI"}};
    for (const auto& [bytes, text] : vectors) {
        EXPECT_EQ(base32_encode(bytes), text);
        EXPECT_EQ(base32_decode(text), bytes);
        EXPECT_EQ(base32_decode(text + "======"), bytes) << "padding is ignored";
    }
    EXPECT_EQ(base32_decode("mzxw6ytboi"), "foobar");
    EXPECT_FALSE(base32_decode("MZXW1"));
    EXPECT_EQ(base32_encode("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(Totp, OtpauthUriNamesIssuerAccountAndParameters) {
    EXPECT_EQ(otpauth_uri("Admit Demo", "root@example.com", "GEZDGNBV"),
              "otpauth://totp/Admit%20Demo:root@example.com?secret=GEZDGNBV&issuer=Admit%20Demo"
              "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace admit::auth::totp

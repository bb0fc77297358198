// Access tokens without servers: sign/verify round trip, key ring lookup, JWKS, and the fuzzer's
// hostile tokens refused by the verifier itself.
#include "access_token.hpp"
#include "encoding.hpp"
#include "token_forge.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace admit::auth {
namespace {

constexpr int64_t kNow = 1'800'000'000;

class AccessTokenTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_GE(sodium_init(), 0);
        key_ = std::make_shared<const SigningKey>(SigningKey::generate(kNow));
        ring_.replace(key_, {});
        claims_ = {"usr_1", "customer", "GOLD", "ses_1", 3, kNow, kNow, kNow + 600, "at_1"};
    }
    std::shared_ptr<const SigningKey> key_;
    KeyRing ring_;
    TokenSettings settings_;
    AccessClaims claims_;
};

TEST_F(AccessTokenTest, RoundTripKeepsEveryClaim) {
    auto token = sign_access_token(*key_, claims_, settings_);
    ASSERT_TRUE(token.ok());
    auto verified = verify_access_token(*token, ring_, settings_, kNow + 1);
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_EQ(verified->subject, "usr_1");
    EXPECT_EQ(verified->role, "customer");
    EXPECT_EQ(verified->tier, "GOLD");
    EXPECT_EQ(verified->session, "ses_1");
    EXPECT_EQ(verified->version, 3);
    const auto header = testing::header_of(*token);
    EXPECT_EQ(header.at("alg"), "EdDSA");
    EXPECT_EQ(header.at("typ"), "at+jwt");
    EXPECT_EQ(header.at("kid").as_string(), key_->kid);
}

TEST_F(AccessTokenTest, ExpiryAndNotBeforeHonourTheLeeway) {
    auto token = sign_access_token(*key_, claims_, settings_);
    ASSERT_TRUE(token.ok());
    EXPECT_TRUE(
        verify_access_token(*token, ring_, settings_, kNow + 600 + settings_.leeway_seconds - 1)
            .ok());
    EXPECT_FALSE(
        verify_access_token(*token, ring_, settings_, kNow + 600 + settings_.leeway_seconds).ok());
    EXPECT_TRUE(
        verify_access_token(*token, ring_, settings_, kNow - settings_.leeway_seconds).ok());
    EXPECT_FALSE(
        verify_access_token(*token, ring_, settings_, kNow - settings_.leeway_seconds - 1).ok());
}

TEST_F(AccessTokenTest, AnUnknownKidIsNotFoundSoTheCallerMayReloadKeys) {
    const SigningKey other = SigningKey::generate(kNow);
    auto token = sign_access_token(other, claims_, settings_);
    ASSERT_TRUE(token.ok());
    auto verified = verify_access_token(*token, ring_, settings_, kNow);
    ASSERT_FALSE(verified.ok());
    EXPECT_EQ(verified.status(), ADMIT_E_NOT_FOUND);
}

TEST_F(AccessTokenTest, ARetiredKeyVerifiesWhileItStaysInTheRing) {
    auto old_token = sign_access_token(*key_, claims_, settings_);
    auto next = std::make_shared<const SigningKey>(SigningKey::generate(kNow));
    ring_.replace(next, {key_});
    EXPECT_TRUE(verify_access_token(*old_token, ring_, settings_, kNow).ok());
    EXPECT_EQ(ring_.jwks().at("keys").as_array().size(), 2u);
    ring_.replace(next, {});
    EXPECT_FALSE(verify_access_token(*old_token, ring_, settings_, kNow).ok());
}

TEST_F(AccessTokenTest, JwksPublishesTheEd25519PublicKey) {
    const auto keys = ring_.jwks().at("keys").as_array();
    ASSERT_EQ(keys.size(), 1u);
    const auto& jwk = keys[0].as_object();
    EXPECT_EQ(jwk.at("kty"), "OKP");
    EXPECT_EQ(jwk.at("crv"), "Ed25519");
    EXPECT_EQ(jwk.at("alg"), "EdDSA");
    EXPECT_EQ(jwk.at("kid").as_string(), key_->kid);
    EXPECT_EQ(base64url_decode(jwk.at("x").as_string())->size(), 32u);
    EXPECT_FALSE(jwk.contains("d"));
}

TEST_F(AccessTokenTest, SeedsFromTheEnvironmentGiveStableKeys) {
    const std::string seed = base64url_encode(std::string(32, '\x07'));
    auto a = SigningKey::from_seed_text(seed, kNow);
    auto b = SigningKey::from_seed_text(seed, kNow);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->kid, b->kid);
    EXPECT_FALSE(SigningKey::from_seed_text("too-short", kNow).ok());
    auto restored = SigningKey::from_stored(a->kid, a->public_text(), a->seed_text(), kNow, 0);
    ASSERT_TRUE(restored.ok());
    EXPECT_EQ(restored->public_key, a->public_key);
    EXPECT_FALSE(
        SigningKey::from_stored("wrong-kid", a->public_text(), std::nullopt, kNow, 0).ok());
}

TEST_F(AccessTokenTest, EveryHostileTokenIsRefused) {
    auto token = sign_access_token(*key_, claims_, settings_);
    ASSERT_TRUE(token.ok());
    const auto header = testing::header_of(*token);
    const auto payload = testing::payload_of(*token);
    ASSERT_TRUE(
        verify_access_token(testing::forge_eddsa(header, payload, *key_), ring_, settings_, kNow)
            .ok())
        << "the control token must be valid";
    const SigningKey stranger = SigningKey::generate(kNow);
    const auto cases = testing::hostile_tokens(header, payload, *key_, stranger, kNow);
    EXPECT_GE(cases.size(), 30u);
    for (const auto& hostile : cases) {
        EXPECT_FALSE(verify_access_token(hostile.token, ring_, settings_, kNow).ok())
            << hostile.name;
    }
}

TEST(Encoding, Base64UrlIsStrict) {
    ASSERT_GE(sodium_init(), 0);
    EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
    EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
    EXPECT_FALSE(base64url_decode("-_8=").has_value());
    EXPECT_FALSE(base64url_decode("+/8").has_value());
    EXPECT_FALSE(base64url_decode("-_9").has_value()) << "non-canonical trailing bits";
}

}  // namespace
}  // namespace admit::auth

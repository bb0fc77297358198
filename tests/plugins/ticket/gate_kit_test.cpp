// The gate kit's JSON: what the ticket plugin writes, a gate reads back unchanged; JWKs follow
// the auth plugin's conventions; a damaged kit is refused with the field named.
#include "codes/gate_kit.hpp"
#include "codes/base64url.hpp"
#include "ticket_fixtures.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <boost/json.hpp>

namespace admit::ticket {
namespace {

using namespace testing;

class GateKitJson : public ::testing::Test {
  protected:
    VenueSigningKey venue = VenueSigningKey::generate();
    GateKit kit = kit_for(venue.public_key(), true);

    void SetUp() override {
        kit.revoked["tkt_aa"] = Revocation{Revocation::Kind::cancelled, 0};
        kit.revoked["tkt_bb"] = Revocation{Revocation::Kind::reissued, 2};
    }

    /// The refusal message for the kit JSON after `edit`.
    std::string refusal(const std::function<void(boost::json::object&)>& edit) {
        boost::json::object json = gate_kit_json(kit);
        edit(json);
        const auto parsed = parse_gate_kit(boost::json::serialize(json));
        return parsed ? std::string() : parsed.error().message;
    }
};

TEST_F(GateKitJson, RoundTrips) {
    const std::string text = boost::json::serialize(gate_kit_json(kit));
    const auto parsed = parse_gate_kit(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->schedule_id, kit.schedule_id);
    EXPECT_EQ(parsed->title, kit.title);
    EXPECT_EQ(parsed->valid_from, kit.valid_from);
    EXPECT_EQ(parsed->valid_until, kit.valid_until);
    EXPECT_EQ(parsed->issued_at, kit.issued_at);
    EXPECT_TRUE(parsed->static_codes_allowed);
    ASSERT_EQ(parsed->keys.size(), 1u);
    EXPECT_EQ(parsed->keys[0].bytes, venue.public_key().bytes);
    EXPECT_EQ(parsed->revoked.at("tkt_bb").valid_issue, 2);
    EXPECT_EQ(parsed->revoked.at("tkt_aa").kind, Revocation::Kind::cancelled);
    EXPECT_EQ(boost::json::serialize(gate_kit_json(*parsed)), text);  // stable text
}

TEST_F(GateKitJson, KeysAreOkpJwksWithTheAuthKidConvention) {
    const auto jwk = venue.public_key().jwk();
    EXPECT_EQ(jwk.at("kty"), "OKP");
    EXPECT_EQ(jwk.at("crv"), "Ed25519");
    EXPECT_EQ(jwk.at("alg"), "EdDSA");
    EXPECT_EQ(jwk.at("use"), "sig");
    EXPECT_EQ(jwk.at("admit_use"), "ticket");
    // kid = base64url(first 16 bytes of SHA-256(public key)); the short id is its first 4 bytes.
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, venue.public_key().bytes.data(), 32);
    EXPECT_EQ(jwk.at("kid").as_string(), base64url_encode(std::span<const uint8_t>(digest, 16)));
    EXPECT_TRUE(std::equal(digest, digest + 4, venue.public_key().short_id.begin()));
    EXPECT_EQ(jwk.at("x").as_string(), base64url_encode(venue.public_key().bytes));
}

TEST_F(GateKitJson, SkipsKeysOfOtherUsesAndRefusesBadKeys) {
    // An access-token key ("use": "sig") in the same JWKS is not a ticket key.
    const auto other = VenueSigningKey::generate();
    auto parsed = parse_gate_kit(boost::json::serialize([&] {
        auto json = gate_kit_json(kit);
        auto token_key = other.public_key().jwk();
        token_key.erase("admit_use");  // what auth publishes for its access-token keys
        json["keys"].as_array().push_back(token_key);
        return json;
    }()));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->keys.size(), 1u);

    EXPECT_NE(refusal([&](auto& json) {
                  json["keys"].as_array()[0].as_object()["kid"] = "AAAA";
              }).find("kid does not match"),
              std::string::npos);
    EXPECT_NE(refusal([](auto& json) {
                  json["keys"].as_array()[0].as_object()["x"] = "AAAA";
              }).find("32 bytes"),
              std::string::npos);
    EXPECT_NE(refusal([](auto& json) {
                  json["keys"].as_array()[0].as_object()["crv"] = "X25519";
              }).find("OKP/Ed25519"),
              std::string::npos);
    EXPECT_EQ(refusal([](auto& json) { json["keys"].as_array().clear(); }),
              "keys has no ticket key");
}

TEST_F(GateKitJson, RefusesMissingOrMistypedFields) {
    EXPECT_EQ(refusal([](auto& json) { json["kitVersion"] = 2; }), "kitVersion must be 1");
    EXPECT_EQ(refusal([](auto& json) { json.erase("issuedAt"); }), "issuedAt is missing");
    EXPECT_EQ(refusal([](auto& json) { json["schedule"].as_object().erase("scheduleId"); }),
              "schedule.scheduleId is missing");
    EXPECT_EQ(refusal([](auto& json) { json["schedule"].as_object()["validFrom"] = "yesterday"; }),
              "schedule.validFrom is not RFC 3339");
    EXPECT_EQ(
        refusal([](auto& json) { json["schedule"].as_object()["staticCodesAllowed"] = "yes"; }),
        "schedule.staticCodesAllowed must be a boolean");
    EXPECT_EQ(refusal([](auto& json) { json["revoked"] = boost::json::object(); }),
              "revoked must be an array");
    EXPECT_EQ(
        refusal([](auto& json) { json["revoked"].as_array()[0].as_object()["reason"] = "lost"; }),
        "revoked[].reason lost is unknown");
    EXPECT_EQ(
        refusal([](auto& json) { json["revoked"].as_array()[1].as_object().erase("validIssue"); }),
        "revoked[].validIssue must be 1..255 for a reissued ticket");
    EXPECT_FALSE(parse_gate_kit("{").ok());
}

TEST_F(GateKitJson, CarriesTheReentryRuleAndDefaultsOlderKitsToOneEntry) {
    kit.reentry = "ONCE_PER_DAY";
    kit.utc_offset_minutes = -300;
    kit.day_starts_at_hour = 6;
    const auto parsed = parse_gate_kit(boost::json::serialize(gate_kit_json(kit)));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->reentry, "ONCE_PER_DAY");
    EXPECT_EQ(parsed->utc_offset_minutes, -300);
    EXPECT_EQ(parsed->day_starts_at_hour, 6);
    // A kit from before re-entry has none of the fields: one entry, UTC days.
    boost::json::object older = gate_kit_json(GateKit(kit));
    for (const auto* field : {"reentry", "utcOffsetMinutes", "dayStartsAtHour"})
        older["schedule"].as_object().erase(field);
    const auto old_kit = parse_gate_kit(boost::json::serialize(older));
    ASSERT_TRUE(old_kit.ok());
    EXPECT_EQ(old_kit->reentry, "NONE");
    EXPECT_EQ(old_kit->utc_offset_minutes, 0);
    EXPECT_EQ(refusal([](auto& json) { json["schedule"].as_object()["reentry"] = "TWICE"; }),
              "schedule.reentry must be \"NONE\", \"ONCE_PER_DAY\" or \"AFTER_EXIT\"");
    EXPECT_EQ(refusal([](auto& json) { json["schedule"].as_object()["utcOffsetMinutes"] = 900; }),
              "schedule.utcOffsetMinutes must be an integer -840..840");
    EXPECT_EQ(refusal([](auto& json) { json["schedule"].as_object()["dayStartsAtHour"] = "4"; }),
              "schedule.dayStartsAtHour must be an integer 0..23");
}

TEST(KitDay, ADayRunsFromTheVenueLocalDayStartToTheNext) {
    GateKit kit;
    kit.utc_offset_minutes = 540;  // UTC+9
    kit.day_starts_at_hour = 4;
    // 2027-01-15 04:00 in Seoul is 2027-01-14 19:00 UTC (1'800'000'000 is 2027-01-15 08:00 UTC).
    const int64_t start = 1'800'000'000 - 13 * 3600;
    EXPECT_EQ(kit_day_of(kit, start), kit_day_of(kit, start + 86399));
    EXPECT_EQ(kit_day_of(kit, start) + 1, kit_day_of(kit, start + 86400));
    EXPECT_EQ(kit_day_of(kit, start) - 1, kit_day_of(kit, start - 1));
    GateKit utc;
    EXPECT_EQ(kit_day_of(utc, 86400 * 3), 3);
    EXPECT_EQ(kit_day_of(utc, 86400 * 3 - 1), 2);
}

}  // namespace
}  // namespace admit::ticket

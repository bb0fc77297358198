// A kit that vouches for signed tickets: the vouch replaces exactly the venue signature check of
// exactly those bytes under exactly that key, survives the kit's JSON, and a damaged list is
// refused with the entry named.
#include "codes/vouched_tickets.hpp"
#include "codes/base64url.hpp"
#include "codes/code.hpp"
#include "codes/verifier.hpp"
#include "ticket_fixtures.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace admit::ticket {
namespace {

using namespace testing;

class VouchedCodes : public ::testing::Test {
  protected:
    VenueSigningKey venue = VenueSigningKey::generate();
    TicketKeyPair holder = TicketKeyPair::generate();
    GateKit kit = kit_for(venue.public_key());
    std::string code = rotating_code(venue, holder, kNow, sample_payload(holder.public_key()));

    /// The signed ticket (payload || venue signature) at the front of a code's bytes.
    static std::vector<uint8_t> signed_ticket_of(const std::string& text) {
        auto bytes = base45_decode(text);
        EXPECT_TRUE(bytes.ok());
        auto parsed = parse_code(*bytes);
        EXPECT_TRUE(parsed.ok());
        return {parsed->ticket.bytes.begin(), parsed->ticket.bytes.end()};
    }
    /// A rotating code the holder shows for `signed_ticket` (their window signature is genuine).
    std::string shown(const std::vector<uint8_t>& signed_ticket) const {
        auto bytes = holder.rotating_code(signed_ticket, kNow);
        EXPECT_TRUE(bytes.ok());
        return base45_encode(*bytes);
    }
};

TEST_F(VouchedCodes, AVouchStandsInForTheVenueSignatureOfThoseBytesOnly) {
    ASSERT_TRUE(verify(code, kit, kNow).ok);
    // A code whose venue signature is broken (last byte of the signed ticket; the holder's
    // window signature over it is genuine) is refused ...
    auto broken_ticket = signed_ticket_of(code);
    broken_ticket.back() ^= 0x01;
    const std::string broken = shown(broken_ticket);
    EXPECT_EQ(verify(broken, kit, kNow).reason, Reason::signature);
    // ... unless the kit vouches for exactly its bytes: then the signature is not checked (this
    // is what makes a vouched rotating code cost one Ed25519 verification, not two).
    GateKit vouching = kit;
    vouching.vouched.add(vouch_digest(venue.public_key().bytes, signed_ticket_of(broken)));
    EXPECT_TRUE(verify(broken, vouching, kNow).ok);
    // The genuine code is not vouched for by that entry: it is verified in full, and admitted.
    EXPECT_TRUE(verify(code, vouching, kNow).ok);
    // One changed byte of a vouched signed ticket (the seat label) is another digest.
    GateKit vouches_genuine = kit;
    vouches_genuine.vouched.add(vouch_digest(venue.public_key().bytes, signed_ticket_of(code)));
    EXPECT_TRUE(verify(code, vouches_genuine, kNow).ok);
    auto relabelled = signed_ticket_of(code);
    relabelled[48] ^= 0x01;
    EXPECT_EQ(verify(shown(relabelled), vouches_genuine, kNow).reason, Reason::signature);
    // A vouch is for one key: the same bytes vouched under another key do not count.
    GateKit other_key = kit;
    other_key.vouched.add(
        vouch_digest(VenueSigningKey::generate().public_key().bytes, signed_ticket_of(broken)));
    EXPECT_EQ(verify(broken, other_key, kNow).reason, Reason::signature);
}

TEST_F(VouchedCodes, AVouchChecksNothingElse) {
    GateKit vouching = kit;
    vouching.vouched.add(vouch_digest(venue.public_key().bytes, signed_ticket_of(code)));
    // The window signature (its last byte changed): as shown by someone without the ticket key.
    auto bytes = base45_decode(code);
    ASSERT_TRUE(bytes.ok());
    bytes->back() ^= 0x01;
    EXPECT_EQ(verify(base45_encode(*bytes), vouching, kNow).reason, Reason::signature);
    // The window and the revocation list.
    EXPECT_EQ(verify(code, vouching, kNow + 10 * kWindowSeconds).reason, Reason::window);
    vouching.revoked[kTicketId] = Revocation{Revocation::Kind::cancelled, 0};
    EXPECT_EQ(verify(code, vouching, kNow).reason, Reason::cancelled);
}

TEST(VouchedTicketsJson, RoundTripsThroughTheKitAndRefusesDamagedEntries) {
    const VenueSigningKey venue = VenueSigningKey::generate();
    GateKit kit = kit_for(venue.public_key());
    const auto plain = gate_kit_json(kit);
    EXPECT_FALSE(plain.contains("vouched"));  // absent when nothing is vouched for
    const std::vector<uint8_t> a{1, 2, 3}, b{4, 5, 6};
    kit.vouched.add(vouch_digest(venue.public_key().bytes, a));
    kit.vouched.add(vouch_digest(venue.public_key().bytes, b));
    auto json = gate_kit_json(kit);
    ASSERT_TRUE(json.contains("vouched"));
    EXPECT_EQ(json["vouched"].as_array().size(), 2u);
    EXPECT_EQ(json["vouched"].as_array()[0].as_string().size(), 22u);  // 16 bytes, base64url
    auto parsed = parse_gate_kit(boost::json::serialize(json));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->vouched.size(), 2u);
    EXPECT_TRUE(parsed->vouched.contains(venue.public_key().bytes, a));
    EXPECT_FALSE(parsed->vouched.contains(venue.public_key().bytes, std::vector<uint8_t>{7}));
    EXPECT_EQ(boost::json::serialize(gate_kit_json(*parsed)), boost::json::serialize(json));

    for (const auto& [bad, why] : std::vector<std::pair<boost::json::value, std::string>>{
             {boost::json::value("abc"), "vouched must be an array"},
             {boost::json::array{1}, "vouched[0] must be 16 bytes in base64url"},
             {boost::json::array{"AAAA"}, "vouched[0] must be 16 bytes in base64url"},
             {boost::json::array{json["vouched"].as_array()[0], "not base64url!"},
              "vouched[1] must be 16 bytes in base64url"}}) {
        auto damaged = json;
        damaged["vouched"] = bad;
        auto refused = parse_gate_kit(boost::json::serialize(damaged));
        ASSERT_FALSE(refused.ok()) << why;
        EXPECT_EQ(refused.error().message, why);
    }
}

}  // namespace
}  // namespace admit::ticket

// Offline verification of static codes: each refusal reason the API names comes out of the
// verifier for the case it describes, and key rotation keeps issued codes valid.
#include "codes/verifier.hpp"
#include "ticket_fixtures.hpp"

#include <gtest/gtest.h>

namespace admit::ticket {
namespace {

using namespace testing;

class StaticCodes : public ::testing::Test {
  protected:
    VenueSigningKey venue = VenueSigningKey::generate();
    GateKit kit = kit_for(venue.public_key(), /*static_codes_allowed=*/true);
    std::string code = static_code(venue, sample_payload());
};

std::string flip_one_bit(const std::string& text, std::size_t byte_index) {
    auto bytes = base45_decode(text);
    EXPECT_TRUE(bytes.ok());
    (*bytes)[byte_index] ^= 0x01;
    return base45_encode(*bytes);
}

TEST_F(StaticCodes, AdmitsAGenuineCodeWithItsFacts) {
    const Verdict verdict = verify(code, kit, kNow);
    ASSERT_TRUE(verdict.ok) << verdict.detail;
    EXPECT_EQ(verdict.reason, Reason::none);
    ASSERT_TRUE(verdict.ticket);
    EXPECT_EQ(verdict.ticket->payload.ticket_id, kTicketId);
    EXPECT_EQ(verdict.ticket->payload.place, "A-1-12");
    EXPECT_EQ(verdict.ticket->kid, venue.public_key().kid);
    EXPECT_FALSE(verdict.ticket->window);
    EXPECT_LT(code.size(), 200u) << code;
}

TEST_F(StaticCodes, RefusesAForgedSignature) {
    const auto bytes = base45_decode(code);
    ASSERT_TRUE(bytes.ok());
    const Verdict bad_signature = verify(flip_one_bit(code, bytes->size() - 1), kit, kNow);
    EXPECT_EQ(bad_signature.reason, Reason::signature);
    EXPECT_FALSE(bad_signature.ticket);  // nothing of a forged code is reported as fact
    // A changed seat label (byte 48: first character of the label) no longer matches the signature.
    EXPECT_EQ(verify(flip_one_bit(code, 48), kit, kNow).reason, Reason::signature);
    // A code signed by a key the venue does not have, claiming the venue's key id.
    const VenueSigningKey forger = VenueSigningKey::generate();
    TicketPayload payload = sample_payload();
    payload.key_id = venue.public_key().short_id;
    auto forged = encode_payload(payload);
    ASSERT_TRUE(forged.ok());
    const auto genuine_signature = base45_decode(static_code(forger, sample_payload()));
    ASSERT_TRUE(genuine_signature.ok());
    forged->insert(forged->end(), genuine_signature->end() - 64, genuine_signature->end());
    EXPECT_EQ(verify(base45_encode(*forged), kit, kNow).reason, Reason::signature);
}

TEST_F(StaticCodes, RefusesAnotherSchedule) {
    TicketPayload payload = sample_payload();
    payload.schedule_id = kOtherScheduleId;
    const Verdict verdict = verify(static_code(venue, payload), kit, kNow);
    EXPECT_EQ(verdict.reason, Reason::wrong_schedule);
    ASSERT_TRUE(verdict.ticket);
    EXPECT_EQ(verdict.ticket->payload.schedule_id, kOtherScheduleId);
}

TEST_F(StaticCodes, RefusesOutsideTheTicketsAndTheSchedulesValidity) {
    EXPECT_EQ(verify(code, kit, kDoorsClose + 1).reason, Reason::expired);
    EXPECT_EQ(verify(code, kit, kDoorsOpen - 1).reason, Reason::not_yet_valid);
    EXPECT_TRUE(verify(code, kit, kDoorsClose).ok);  // until is inclusive

    TicketPayload early = sample_payload();  // a ticket that ends before the schedule does
    early.valid_until = static_cast<uint32_t>(kNow - 60);
    EXPECT_EQ(verify(static_code(venue, early), kit, kNow).reason, Reason::expired);

    kit.valid_until = kNow - 1;  // the kit closes the gate earlier than the ticket ends
    EXPECT_EQ(verify(code, kit, kNow).reason, Reason::expired);
}

TEST_F(StaticCodes, RefusesCancelledRevokedAndReissuedTickets) {
    kit.revoked[kTicketId] = Revocation{Revocation::Kind::revoked, 0};
    EXPECT_EQ(verify(code, kit, kNow).reason, Reason::revoked);

    kit.revoked[kTicketId] = Revocation{Revocation::Kind::cancelled, 0};
    EXPECT_EQ(verify(code, kit, kNow).reason, Reason::cancelled);

    // Reissued: issue 0 (the old code) is revoked, issue 1 (the new code) is admitted.
    kit.revoked[kTicketId] = Revocation{Revocation::Kind::reissued, 1};
    EXPECT_EQ(verify(code, kit, kNow).reason, Reason::revoked);
    TicketPayload reissued = sample_payload();
    reissued.issue = 1;
    EXPECT_TRUE(verify(static_code(venue, reissued), kit, kNow).ok);
}

TEST_F(StaticCodes, RefusesStaticCodesWhereTheVenueDoesNot) {
    kit.static_codes_allowed = false;
    const Verdict verdict = verify(code, kit, kNow);
    EXPECT_EQ(verdict.reason, Reason::window);
    EXPECT_NE(verdict.detail.find("static codes"), std::string::npos);
}

TEST_F(StaticCodes, RefusesMalformedCodes) {
    EXPECT_EQ(verify("", kit, kNow).reason, Reason::malformed);
    EXPECT_EQ(verify("not base45", kit, kNow).reason, Reason::malformed);
    EXPECT_EQ(verify(code + "00", kit, kNow).reason, Reason::malformed);  // one trailing byte
    EXPECT_EQ(verify(code.substr(0, code.size() - 3), kit, kNow).reason, Reason::malformed);
    EXPECT_EQ(verify(std::string(2000, '0'), kit, kNow).reason, Reason::malformed);
}

TEST_F(StaticCodes, KeyRotationKeepsIssuedCodesValidWhileTheKitListsTheOldKey) {
    const VenueSigningKey next = VenueSigningKey::generate();
    kit.keys.insert(kit.keys.begin(), next.public_key());  // the new signer first, the old key kept
    EXPECT_TRUE(verify(code, kit, kNow).ok);
    const Verdict fresh = verify(static_code(next, sample_payload()), kit, kNow);
    ASSERT_TRUE(fresh.ok);
    EXPECT_EQ(fresh.ticket->kid, next.public_key().kid);

    kit.keys.pop_back();  // the old key leaves the kit
    EXPECT_EQ(verify(code, kit, kNow).reason, Reason::unknown_key);
    EXPECT_TRUE(verify(static_code(next, sample_payload()), kit, kNow).ok);
}

TEST_F(StaticCodes, VerdictJsonNamesTheReasonAndTheTicket) {
    const auto admitted = verdict_json(verify(code, kit, kNow));
    EXPECT_EQ(admitted.at("admitted"), true);
    EXPECT_TRUE(admitted.at("reason").is_null());
    EXPECT_EQ(admitted.at("ticket").at("seat"), "A-1-12");
    EXPECT_EQ(admitted.at("ticket").at("kind"), "static");
    EXPECT_EQ(admitted.at("ticket").at("validFrom"), "2027-01-15T08:00:00Z");

    const auto refused = verdict_json(verify(code, kit, kDoorsClose + 1));
    EXPECT_EQ(refused.at("admitted"), false);
    EXPECT_EQ(refused.at("reason"), "expired");
}

}  // namespace
}  // namespace admit::ticket

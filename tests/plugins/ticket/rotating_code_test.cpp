// Rotating codes: admitted in the window they were shown in and the next one only; a
// screenshot replayed later, a forged window signature and a stripped window are refused.
#include "codes/code.hpp"
#include "codes/verifier.hpp"
#include "ticket_fixtures.hpp"

#include <gtest/gtest.h>

namespace admit::ticket {
namespace {

using namespace testing;

class RotatingCodes : public ::testing::Test {
  protected:
    VenueSigningKey venue = VenueSigningKey::generate();
    TicketKeyPair ticket = TicketKeyPair::generate();
    GateKit kit = kit_for(venue.public_key());
    // Shown at the start of a window, so "+29 s" is the same window and "+30 s" the next.
    int64_t shown_at = kNow - kNow % kWindowSeconds;
    std::string code = rotating_code(venue, ticket, shown_at);
};

TEST_F(RotatingCodes, AdmittedInTheCurrentAndThePreviousWindowOnly) {
    for (int64_t later : {0, 1, 29, 30, 59}) {
        const Verdict verdict = verify(code, kit, shown_at + later);
        EXPECT_TRUE(verdict.ok) << "+" << later << " s: " << verdict.detail;
    }
    for (int64_t later : {60, 61, 3600}) {
        const Verdict verdict = verify(code, kit, shown_at + later);
        EXPECT_EQ(verdict.reason, Reason::window) << "+" << later << " s";
        ASSERT_TRUE(verdict.ticket);  // authentic, just stale: staff see whose ticket it was
    }
    // A code from the future (a phone whose clock runs ahead by a window) is not accepted either.
    EXPECT_EQ(verify(code, kit, shown_at - 1).reason, Reason::window);
}

TEST_F(RotatingCodes, AScreenshotStopsWorkingWithinAMinute) {
    const int64_t screenshot_at = kNow + 17;
    const std::string screenshot = rotating_code(venue, ticket, screenshot_at);
    EXPECT_TRUE(verify(screenshot, kit, screenshot_at + 5).ok);
    EXPECT_EQ(verify(screenshot, kit, screenshot_at + 60).reason, Reason::window);
    // The app's code of that later moment is admitted.
    EXPECT_TRUE(
        verify(rotating_code(venue, ticket, screenshot_at + 60), kit, screenshot_at + 60).ok);
}

TEST_F(RotatingCodes, FactsNameTheWindow) {
    const Verdict verdict = verify(code, kit, shown_at);
    ASSERT_TRUE(verdict.ok);
    ASSERT_TRUE(verdict.ticket->window);
    EXPECT_EQ(*verdict.ticket->window, window_of(shown_at));
    EXPECT_EQ(verdict_json(verdict).at("ticket").at("kind"), "rotating");
}

TEST_F(RotatingCodes, RefusesAWindowSignedByAnotherKey) {
    // Someone with the signed ticket (e.g. from a screenshot) but not the ticket's private key.
    const TicketKeyPair thief = TicketKeyPair::generate();
    auto bytes = base45_decode(code);
    ASSERT_TRUE(bytes.ok());
    const auto parsed = parse_code(*bytes);
    ASSERT_TRUE(parsed.ok());
    const Bytes signed_ticket(parsed->ticket.bytes.begin(), parsed->ticket.bytes.end());
    EXPECT_FALSE(thief.rotating_code(signed_ticket, kNow).ok());  // the library will not help

    // Re-sign the window by hand with the thief's key: same layout, wrong key.
    TicketPayload payload = sample_payload(thief.public_key());
    auto thief_ticket = venue.issue_code(payload);  // a ticket naming the thief's key...
    ASSERT_TRUE(thief_ticket.ok());
    auto thief_code = thief.rotating_code(*thief_ticket, kNow);
    ASSERT_TRUE(thief_code.ok());
    // ...whose window part is grafted onto the genuine signed ticket.
    Bytes grafted = signed_ticket;
    grafted.insert(grafted.end(), thief_code->end() - 68, thief_code->end());
    EXPECT_EQ(verify(base45_encode(grafted), kit, kNow).reason, Reason::signature);

    // A flipped bit in the window signature.
    (*bytes)[bytes->size() - 5] ^= 0x40;
    EXPECT_EQ(verify(base45_encode(*bytes), kit, shown_at).reason, Reason::signature);
}

TEST_F(RotatingCodes, ARotatingTicketIsNeverAStaticCode) {
    // Stripping the window part of a screenshot does not give a static code, even where static
    // codes are allowed.
    kit.static_codes_allowed = true;
    auto bytes = base45_decode(code);
    ASSERT_TRUE(bytes.ok());
    bytes->resize(bytes->size() - 68);
    const Verdict verdict = verify(base45_encode(*bytes), kit, shown_at);
    EXPECT_EQ(verdict.reason, Reason::malformed);
    EXPECT_EQ(verdict.detail, "rotating code without its window");
}

TEST_F(RotatingCodes, ChangingTheWindowNumberBreaksTheSignature) {
    auto bytes = base45_decode(code);
    ASSERT_TRUE(bytes.ok());
    (*bytes)[bytes->size() - 65] += 1;  // low byte of the window: a "fresher" window
    EXPECT_EQ(verify(base45_encode(*bytes), kit, shown_at + 30).reason, Reason::signature);
}

TEST_F(RotatingCodes, SizesStayWithinTheQrBudget) {
    EXPECT_EQ(base45_decode(code)->size(), 150u + 68u);
    EXPECT_EQ(code.size(), 327u);
}

}  // namespace
}  // namespace admit::ticket

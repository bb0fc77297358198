// Every byte of a code is covered: no single flipped bit of a rotating or a static code is
// admitted, and random bytes never are either (nor do they crash the strict decoder).
#include "codes/code.hpp"
#include "codes/verifier.hpp"
#include "ticket_fixtures.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace admit::ticket {
namespace {

using namespace testing;

/// Verifies every one-bit change of `code` and returns how many were admitted.
int admitted_bit_flips(const std::string& code, const GateKit& kit, int64_t now) {
    const auto bytes = base45_decode(code);
    EXPECT_TRUE(bytes.ok());
    int admitted = 0;
    for (std::size_t i = 0; i < bytes->size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            Bytes changed = *bytes;
            changed[i] ^= static_cast<uint8_t>(1 << bit);
            const Verdict verdict = verify_bytes(changed, kit, now);
            if (verdict.ok) {
                ADD_FAILURE() << "byte " << i << " bit " << bit << " admitted";
                ++admitted;
            }
        }
    }
    return admitted;
}

TEST(Tamper, NoBitOfARotatingCodeCanChange) {
    const VenueSigningKey venue = VenueSigningKey::generate();
    const TicketKeyPair ticket = TicketKeyPair::generate();
    const GateKit kit = kit_for(venue.public_key());
    const std::string code = rotating_code(venue, ticket, kNow);
    ASSERT_TRUE(verify(code, kit, kNow).ok);
    EXPECT_EQ(admitted_bit_flips(code, kit, kNow), 0);
}

TEST(Tamper, NoBitOfAStaticCodeCanChange) {
    const VenueSigningKey venue = VenueSigningKey::generate();
    const GateKit kit = kit_for(venue.public_key(), /*static_codes_allowed=*/true);
    const std::string code = static_code(venue, sample_payload());
    ASSERT_TRUE(verify(code, kit, kNow).ok);
    EXPECT_EQ(admitted_bit_flips(code, kit, kNow), 0);
}

TEST(Tamper, RandomBytesAreRefusedWithoutHarm) {
    const VenueSigningKey venue = VenueSigningKey::generate();
    const GateKit kit = kit_for(venue.public_key(), true);
    // Random tails behind a valid-looking head reach deeper into the decoder than pure noise.
    const auto genuine = base45_decode(static_code(venue, sample_payload()));
    ASSERT_TRUE(genuine.ok());
    for (int round = 0; round < 2000; ++round) {
        const std::size_t head = static_cast<std::size_t>(randombytes_uniform(16));
        Bytes bytes(genuine->begin(), genuine->begin() + static_cast<std::ptrdiff_t>(head));
        bytes.resize(head + randombytes_uniform(300));
        randombytes_buf(bytes.data() + head, bytes.size() - head);
        const Verdict verdict = verify_bytes(bytes, kit, kNow);
        ASSERT_FALSE(verdict.ok);
        ASSERT_NE(verdict.reason, Reason::none);
    }
}

}  // namespace
}  // namespace admit::ticket

// The cache of verified venue signatures (codes/venue_signature_cache.hpp) inside the verifier:
// a cached ticket is still refused once revoked, a forged window signature on a cached ticket is
// refused, a tampered signed ticket never hits the cache (and its failure is never remembered),
// a key dropped from the kit stops verifying, and the cache stays within its bound.
#include "codes/verifier.hpp"
#include "ticket_fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace admit::ticket {
namespace {

using namespace testing;

/// `text` with one bit of byte `index` flipped (negative: from the end).
std::string flip(const std::string& text, long index) {
    auto bytes = base45_decode(text);
    EXPECT_TRUE(bytes.ok());
    const auto at = index < 0 ? bytes->size() - static_cast<std::size_t>(-index)
                              : static_cast<std::size_t>(index);
    (*bytes)[at] ^= 0x01;
    return base45_encode(*bytes);
}

class CachedVerification : public ::testing::Test {
  protected:
    VenueSigningKey venue = VenueSigningKey::generate();
    TicketKeyPair holder = TicketKeyPair::generate();
    GateKit kit = kit_for(venue.public_key(), /*static_codes_allowed=*/true);
    VenueSignatureCache cache{1000};
    std::string rotating_now =
        rotating_code(venue, holder, kNow, sample_payload(holder.public_key()));
    std::string static_now = static_code(venue, sample_payload());
};

TEST_F(CachedVerification, ASecondScanOfTheSameTicketHitsAndStillAdmits) {
    ASSERT_TRUE(verify(rotating_now, kit, kNow, &cache).ok);
    EXPECT_EQ(cache.hits(), 0u);
    EXPECT_EQ(cache.size(), 1u);
    // The next window's code carries the same signed ticket: the venue signature is a hit.
    const auto next =
        rotating_code(venue, holder, kNow + kWindowSeconds, sample_payload(holder.public_key()));
    const Verdict verdict = verify(next, kit, kNow + kWindowSeconds, &cache);
    ASSERT_TRUE(verdict.ok) << verdict.detail;
    EXPECT_EQ(verdict.ticket->kid, venue.public_key().kid);
    EXPECT_EQ(cache.hits(), 1u);
    EXPECT_TRUE(verify(static_now, kit, kNow, &cache).ok);
    EXPECT_TRUE(verify(static_now, kit, kNow, &cache).ok);
    EXPECT_EQ(cache.hits(), 2u);
}

TEST_F(CachedVerification, ACachedTicketLaterRevokedIsRefused) {
    ASSERT_TRUE(verify(static_now, kit, kNow, &cache).ok);
    ASSERT_TRUE(verify(rotating_now, kit, kNow, &cache).ok);
    kit.revoked[kTicketId] = Revocation{Revocation::Kind::cancelled, 0};
    const auto hits = cache.hits();
    EXPECT_EQ(verify(static_now, kit, kNow, &cache).reason, Reason::cancelled);
    EXPECT_EQ(verify(rotating_now, kit, kNow, &cache).reason, Reason::cancelled);
    EXPECT_EQ(cache.hits(), hits + 2);  // the signatures were cached; the revocation still counts
    kit.revoked[kTicketId] = Revocation{Revocation::Kind::reissued, 1};
    EXPECT_EQ(verify(static_now, kit, kNow, &cache).reason, Reason::revoked);
    // Validity and window are checked on every scan too.
    EXPECT_EQ(verify(rotating_now, kit, kNow + 10 * kWindowSeconds, &cache).reason, Reason::window);
}

TEST_F(CachedVerification, AForgedWindowSignatureOnACachedTicketIsRefused) {
    ASSERT_TRUE(verify(rotating_now, kit, kNow, &cache).ok);
    const auto forged = flip(rotating_now, -1);  // last byte: the window signature
    const auto hits = cache.hits();
    const Verdict verdict = verify(forged, kit, kNow, &cache);
    EXPECT_EQ(verdict.reason, Reason::signature);
    EXPECT_EQ(verdict.detail, "the window signature does not verify");
    EXPECT_EQ(cache.hits(), hits + 1);  // the venue part was a hit; the window part was checked
    // A window signature made by another ticket key, grafted onto the cached ticket.
    const TicketKeyPair thief = TicketKeyPair::generate();
    auto genuine = base45_decode(rotating_now);
    auto other =
        base45_decode(rotating_code(venue, thief, kNow, sample_payload(thief.public_key())));
    ASSERT_TRUE(genuine.ok() && other.ok());
    std::copy(other->end() - 64, other->end(), genuine->end() - 64);
    EXPECT_EQ(verify(base45_encode(*genuine), kit, kNow, &cache).reason, Reason::signature);
}

TEST_F(CachedVerification, ATamperedSignedTicketNeverHitsAndIsNeverRemembered) {
    ASSERT_TRUE(verify(static_now, kit, kNow, &cache).ok);
    ASSERT_TRUE(verify(rotating_now, kit, kNow, &cache).ok);
    const auto size = cache.size();
    // A changed seat label (byte 48) and a changed venue signature (the static code's last byte).
    for (const auto& tampered :
         {flip(static_now, 48), flip(static_now, -1), flip(rotating_now, 48)}) {
        const auto hits = cache.hits();
        for (int scan = 0; scan < 3; ++scan) {  // scanned again: still a full check, still refused
            const Verdict verdict = verify(tampered, kit, kNow, &cache);
            EXPECT_EQ(verdict.reason, Reason::signature);
            EXPECT_FALSE(verdict.ticket);
        }
        EXPECT_EQ(cache.hits(), hits);
        EXPECT_EQ(cache.size(), size);
    }
    // Every one-bit change of the signed ticket part of the static code is refused.
    const auto bytes = base45_decode(static_now);
    ASSERT_TRUE(bytes.ok());
    for (std::size_t i = 0; i < bytes->size(); ++i)
        EXPECT_FALSE(verify(flip(static_now, static_cast<long>(i)), kit, kNow, &cache).ok) << i;
    EXPECT_EQ(cache.size(), size);
}

TEST_F(CachedVerification, AKeyDroppedFromTheKitStopsVerifyingCachedTickets) {
    ASSERT_TRUE(verify(static_now, kit, kNow, &cache).ok);
    const VenueSigningKey other = VenueSigningKey::generate();
    GateKit without = kit_for(other.public_key(), true);
    EXPECT_EQ(verify(static_now, without, kNow, &cache).reason, Reason::unknown_key);
}

TEST(VenueSignatureCache, KeepsAtMostItsCapacityAndForgetsTheLeastRecentlyUsed) {
    VenueSignatureCache cache(64);  // 16 shards of 4
    const PublicKeyBytes key{};
    std::vector<std::vector<uint8_t>> tickets;
    for (int i = 0; i < 1000; ++i) tickets.push_back({uint8_t(i), uint8_t(i >> 8), 7});
    for (const auto& t : tickets) cache.remember(key, t);
    EXPECT_LE(cache.size(), 64u);
    EXPECT_GE(cache.size(), 16u);
    EXPECT_TRUE(cache.contains(key, tickets.back()));    // the newest stays
    EXPECT_FALSE(cache.contains(key, tickets.front()));  // the oldest went
    const PublicKeyBytes other_key{1};
    EXPECT_FALSE(cache.contains(other_key, tickets.back()));  // another key: another entry
}

TEST_F(CachedVerification, ManyThreadsShareOneCache) {
    std::vector<std::string> codes;
    for (int i = 0; i < 8; ++i) {
        TicketPayload payload = sample_payload();
        payload.place = "A-1-" + std::to_string(i);
        codes.push_back(static_code(venue, payload));
    }
    std::vector<std::thread> gates;
    std::atomic<int> refused{0};
    for (int g = 0; g < 4; ++g) {
        gates.emplace_back([&] {
            for (int round = 0; round < 50; ++round)
                for (const auto& code : codes)
                    if (!verify(code, kit, kNow, &cache).ok) ++refused;
        });
    }
    for (auto& gate : gates) gate.join();
    EXPECT_EQ(refused.load(), 0);
    EXPECT_EQ(cache.size(), codes.size());
    EXPECT_GE(cache.hits(), 4u * 50u * codes.size() - 4u * codes.size());
}

}  // namespace
}  // namespace admit::ticket

// The payload codec: round trips of every shape, the sizes the README promises, and every
// refusal of the strict decoder and of the encoder.
#include "codes/payload.hpp"
#include "ticket_fixtures.hpp"

#include <gtest/gtest.h>

#include <string>

namespace admit::ticket {
namespace {

using testing::kTicketId;
using testing::sample_payload;

PublicKeyBytes some_key() {
    PublicKeyBytes key{};
    for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(0xA0 + i);
    return key;
}

TicketPayload round_trip(const TicketPayload& payload) {
    const auto bytes = encode_payload(payload);
    EXPECT_TRUE(bytes.ok()) << (bytes ? "" : bytes.error().message);
    if (!bytes) return {};
    const auto decoded = decode_payload(*bytes);
    EXPECT_TRUE(decoded.ok()) << (decoded ? "" : decoded.error().message);
    return decoded ? *decoded : TicketPayload{};
}

/// The decoder's refusal message for `bytes` ("" when it decodes).
std::string refusal(const Bytes& bytes) {
    const auto decoded = decode_payload(bytes);
    return decoded ? std::string() : decoded.error().message;
}

TEST(Payload, RoundTripsEveryShape) {
    TicketPayload payload = sample_payload();
    payload.key_id = {1, 2, 3, 4};
    payload.issue = 7;
    EXPECT_EQ(round_trip(payload), payload);

    payload.ticket_key = some_key();
    EXPECT_EQ(round_trip(payload), payload);

    payload.place_kind = PlaceKind::grade;
    payload.place = "VIP 귀빈석";  // UTF-8 beyond ASCII
    EXPECT_EQ(round_trip(payload), payload);

    payload.place_kind = PlaceKind::none;
    payload.place.clear();
    payload.ticket_id = "legacy-ticket-42";                        // not the compact shape
    payload.schedule_id = "sch_0F1E2D3C4B5A69788796A5B4C3D2E1F0";  // upper case is not compact
    EXPECT_EQ(round_trip(payload), payload);
}

TEST(Payload, CompactIdsTakeSixteenBytes) {
    TicketPayload payload = sample_payload();
    const auto compact = encode_payload(payload);
    ASSERT_TRUE(compact.ok());
    // 15 fixed bytes, two 16-byte ids, "A-1-12" with its length byte.
    EXPECT_EQ(compact->size(), 15u + 16 + 16 + 7);
    payload.ticket_key = some_key();
    EXPECT_EQ(encode_payload(payload)->size(), 15u + 16 + 16 + 7 + 32);
    payload.ticket_id = "tkt_00112233445566778899AABBCCDDEEFF";
    EXPECT_EQ(encode_payload(payload)->size(), 15u + 1 + 36 + 16 + 7 + 32);
}

TEST(Payload, RefusesEveryTruncation) {
    TicketPayload payload = sample_payload(some_key());
    payload.ticket_id =
        "ticket-7";  // a text id, so truncation inside a length-prefixed id is covered
    const auto bytes = encode_payload(payload);
    ASSERT_TRUE(bytes.ok());
    for (std::size_t length = 0; length < bytes->size(); ++length) {
        const Bytes cut(bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(length));
        EXPECT_EQ(refusal(cut).rfind("truncated", 0), 0u)
            << "length " << length << ": " << refusal(cut);
    }
}

TEST(Payload, RefusesTrailingBytes) {
    auto bytes = encode_payload(sample_payload());
    ASSERT_TRUE(bytes.ok());
    bytes->push_back(0);
    EXPECT_EQ(refusal(*bytes), "1 trailing bytes");
}

TEST(Payload, RefusesMalformedFields) {
    const auto good = encode_payload(sample_payload());
    ASSERT_TRUE(good.ok());
    const auto with = [&](std::size_t at, uint8_t value) {
        Bytes bytes = *good;
        bytes[at] = value;
        return refusal(bytes);
    };
    EXPECT_EQ(with(0, 2), "unknown version 2");
    EXPECT_EQ(with(1, good->at(1) | 0x20), "reserved flag bits are set");
    EXPECT_EQ(with(1, good->at(1) | 0x0C), "unknown place kind");
    // valid_from (bytes 7..10) after valid_until (11..14)
    EXPECT_EQ(with(7, 0xFF), "valid_from is after valid_until");
    // The place: its length byte sits after the two compact ids (15 + 32).
    EXPECT_EQ(with(47, 0), "place must be 1..64 bytes");
    EXPECT_EQ(with(48, 0xC0), "place is not valid UTF-8");  // lone lead byte
    EXPECT_EQ(with(48, 0x00), "place is not valid UTF-8");  // NUL
}

TEST(Payload, RefusesNonCanonicalAndOverlongTexts) {
    // A text id that has the compact shape must have been sent compact.
    TicketPayload payload = sample_payload();
    payload.ticket_id = "legacy-0";
    auto bytes = encode_payload(payload);
    ASSERT_TRUE(bytes.ok());
    Bytes forged(bytes->begin(), bytes->begin() + 15);
    forged[1] &= static_cast<uint8_t>(~0x01);  // ticket id as text
    forged.push_back(static_cast<uint8_t>(kTicketId.size()));
    forged.insert(forged.end(), kTicketId.begin(), kTicketId.end());
    forged.insert(forged.end(), bytes->begin() + 15 + 1 + 8, bytes->end());
    EXPECT_EQ(refusal(forged), "non-canonical ticket id (compact form expected)");

    Bytes overlong(bytes->begin(), bytes->begin() + 15);
    overlong.push_back(65);
    overlong.insert(overlong.end(), 65, 'x');
    EXPECT_EQ(refusal(overlong), "ticket id must be 1..64 bytes");
}

TEST(Payload, EncoderRefusesOutOfRangeFields) {
    TicketPayload payload = sample_payload();
    payload.valid_from = payload.valid_until + 1;
    EXPECT_FALSE(encode_payload(payload).ok());

    payload = sample_payload();
    payload.place = std::string(65, 'x');
    EXPECT_FALSE(encode_payload(payload).ok());

    payload = sample_payload();
    payload.place_kind = PlaceKind::none;  // with a place text
    EXPECT_FALSE(encode_payload(payload).ok());

    payload = sample_payload();
    payload.schedule_id.clear();
    EXPECT_FALSE(encode_payload(payload).ok());

    payload = sample_payload();
    payload.place = "\xED\xA0\x80";  // a UTF-16 surrogate in UTF-8
    EXPECT_FALSE(encode_payload(payload).ok());
}

}  // namespace
}  // namespace admit::ticket

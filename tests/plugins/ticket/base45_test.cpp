// base45 against the examples of RFC 9285 (sections 4.3 and 4.4), its invalid inputs, and a
// round trip of every length.
#include "codes/base45.hpp"

#include <gtest/gtest.h>

#include <string>

namespace admit::ticket {
namespace {

std::string encode_text(std::string_view text) {
    return base45_encode(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

std::string decode_text(std::string_view text) {
    const auto bytes = base45_decode(text);
    EXPECT_TRUE(bytes.ok()) << text;
    return bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
}

TEST(Base45, EncodesTheRfcExamples) {
    EXPECT_EQ(encode_text("AB"), "BB8");
    EXPECT_EQ(encode_text("Hello!!"), "%69 VD92EX0");
    EXPECT_EQ(encode_text("base-45"), "UJCLQE7W581");
    EXPECT_EQ(encode_text(""), "");
}

TEST(Base45, DecodesTheRfcExamples) {
    EXPECT_EQ(decode_text("QED8WEX0"), "ietf!");
    EXPECT_EQ(decode_text("BB8"), "AB");
    EXPECT_EQ(decode_text("%69 VD92EX0"), "Hello!!");
    EXPECT_EQ(decode_text("UJCLQE7W581"), "base-45");
}

TEST(Base45, RefusesWhatTheRfcCallsInvalid) {
    EXPECT_FALSE(base45_decode("GGW").ok());   // 65536 does not fit two bytes
    EXPECT_FALSE(base45_decode("ZZZ").ok());   // 91124
    EXPECT_FALSE(base45_decode("Z9").ok());    // 440 does not fit the last single byte
    EXPECT_FALSE(base45_decode("BB8A").ok());  // length 3n+1
    EXPECT_FALSE(base45_decode("bb8").ok());   // lower case is outside the alphabet
    EXPECT_FALSE(base45_decode("BB#").ok());
    EXPECT_TRUE(base45_decode("FGW").ok());  // 65535 is the largest group
}

TEST(Base45, RoundTripsEveryLengthAndByte) {
    for (std::size_t length = 0; length <= 300; ++length) {
        std::vector<uint8_t> bytes(length);
        for (std::size_t i = 0; i < length; ++i) bytes[i] = static_cast<uint8_t>(i * 37 + length);
        if (length == 2) bytes = {0xFF, 0xFF};
        const std::string text = base45_encode(bytes);
        EXPECT_EQ(text.size(), length / 2 * 3 + length % 2 * 2);
        const auto decoded = base45_decode(text);
        ASSERT_TRUE(decoded.ok()) << length;
        EXPECT_EQ(*decoded, bytes);
    }
}

}  // namespace
}  // namespace admit::ticket

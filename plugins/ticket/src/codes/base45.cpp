#include "base45.hpp"

#include <algorithm>
#include <array>

namespace admit::ticket {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Character -> value, -1 outside the alphabet. Built at compile time (no static initializer).
constexpr std::array<int8_t, 256> make_values() {
    std::array<int8_t, 256> values{};
    values.fill(-1);
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
        values[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
    }
    return values;
}
constexpr std::array<int8_t, 256> kValues = make_values();

}  // namespace

std::string base45_encode(std::span<const uint8_t> bytes) {
    std::string text;
    text.reserve(bytes.size() / 2 * 3 + 2);
    std::size_t at = 0;
    for (; at + 1 < bytes.size(); at += 2) {
        unsigned value = bytes[at] * 256u + bytes[at + 1];
        text.push_back(kAlphabet[value % 45]);
        value /= 45;
        text.push_back(kAlphabet[value % 45]);
        text.push_back(kAlphabet[value / 45]);
    }
    if (at < bytes.size()) {
        const unsigned value = bytes[at];
        text.push_back(kAlphabet[value % 45]);
        text.push_back(kAlphabet[value / 45]);
    }
    return text;
}

sdk::Result<std::vector<uint8_t>> base45_decode(std::string_view text) {
    if (text.size() % 3 == 1) {
        return sdk::Error::invalid("base45: length " + std::to_string(text.size()) + " is 3n+1");
    }
    std::vector<uint8_t> bytes;
    bytes.reserve(text.size() / 3 * 2 + 1);
    for (std::size_t at = 0; at < text.size(); at += 3) {
        const std::size_t group = std::min<std::size_t>(3, text.size() - at);
        unsigned value = 0;
        unsigned scale = 1;
        for (std::size_t i = 0; i < group; ++i) {
            const int digit = kValues[static_cast<uint8_t>(text[at + i])];
            if (digit < 0) {
                return sdk::Error::invalid("base45: character at " + std::to_string(at + i) +
                                           " is not in the alphabet");
            }
            value += static_cast<unsigned>(digit) * scale;
            scale *= 45;
        }
        if (group == 3) {
            if (value > 0xFFFF) {
                return sdk::Error::invalid("base45: group at " + std::to_string(at) +
                                           " exceeds two bytes");
            }
            bytes.push_back(static_cast<uint8_t>(value >> 8));
            bytes.push_back(static_cast<uint8_t>(value & 0xFF));
        } else {
            if (value > 0xFF) {
                return sdk::Error::invalid("base45: last group exceeds one byte");
            }
            bytes.push_back(static_cast<uint8_t>(value));
        }
    }
    return bytes;
}

}  // namespace admit::ticket

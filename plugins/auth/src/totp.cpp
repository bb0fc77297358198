#include "totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <cctype>

namespace admit::auth::totp {
namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string percent_encoded(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~' || c == '@') {
            out += c;
        } else {
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0x0f];
        }
    }
    return out;
}

}  // namespace

int64_t step_of(int64_t unix_seconds) {
    return unix_seconds >= 0 ? unix_seconds / kStepSeconds
                             : -((-unix_seconds + kStepSeconds - 1) / kStepSeconds);
}

std::string code_at(std::string_view secret, int64_t step, int digits) {
    std::array<unsigned char, 8> counter{};
    auto value = static_cast<uint64_t>(step);
    for (int i = 7; i >= 0; --i) {
        counter[static_cast<std::size_t>(i)] = static_cast<unsigned char>(value & 0xff);
        value >>= 8;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    if (HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter.data(),
             counter.size(), mac, &mac_length) == nullptr ||
        mac_length < 20)
        return {};
    const unsigned offset = mac[mac_length - 1] & 0x0f;
    const uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                            (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                            (static_cast<uint32_t>(mac[offset + 2]) << 8) |
                            static_cast<uint32_t>(mac[offset + 3]);
    uint32_t modulus = 1;
    for (int i = 0; i < digits; ++i) modulus *= 10;
    std::string code = std::to_string(binary % modulus);
    return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::optional<int64_t> matching_step(std::string_view secret, std::string_view code, int64_t now,
                                     int window) {
    if (code.size() != static_cast<std::size_t>(kDigits)) return std::nullopt;
    for (const char c : code) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    const int64_t current = step_of(now);
    std::optional<int64_t> found;
    for (int64_t step = current - window; step <= current + window; ++step) {
        const std::string expected = code_at(secret, step);
        // Every candidate is compared, in constant time, whether or not one matched already.
        if (expected.size() == code.size() &&
            sodium_memcmp(expected.data(), code.data(), code.size()) == 0 && !found)
            found = step;
    }
    return found;
}

std::string base32_encode(std::string_view bytes) {
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 5) {
            out += kBase32[(buffer >> (bits - 5)) & 0x1f];
            bits -= 5;
        }
    }
    if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 0x1f];
    return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (const char c : text) {
        if (c == '=') continue;
        const auto at =
            kBase32.find(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
        if (at == std::string_view::npos) return std::nullopt;
        buffer = (buffer << 5) | static_cast<uint32_t>(at);
        bits += 5;
        if (bits >= 8) {
            out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view base32_secret) {
    const std::string label = percent_encoded(issuer) + ":" + percent_encoded(account);
    return "otpauth://totp/" + label + "?secret=" + std::string(base32_secret) +
           "&issuer=" + percent_encoded(issuer) +
           "&algorithm=SHA1&digits=" + std::to_string(kDigits) +
           "&period=" + std::to_string(kStepSeconds);
}

}  // namespace admit::auth::totp

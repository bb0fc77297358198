#include "entry_token.hpp"

#include <sodium.h>

#include <charconv>
#include <vector>

namespace admit::queue {

namespace {

constexpr std::string_view prefix = "qe1.";

std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac(const EntryKey& key,
                                                            std::string_view text) {
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> out{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, key.data(), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                                  text.size());
    crypto_auth_hmacsha256_final(&state, out.data());
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (;;) {
        const auto at = text.find(separator, start);
        parts.push_back(text.substr(start, at - start));
        if (at == std::string_view::npos) return parts;
        start = at + 1;
    }
}

}  // namespace

const char* verdict_name(EntryVerdict verdict) {
    switch (verdict) {
        case EntryVerdict::valid:
            return "valid";
        case EntryVerdict::malformed:
            return "malformed";
        case EntryVerdict::signature:
            return "signature";
        case EntryVerdict::expired:
            return "expired";
        case EntryVerdict::wrong_schedule:
            return "wrong_schedule";
        case EntryVerdict::wrong_user:
            return "wrong_user";
    }
    return "malformed";
}

std::string base64url(std::string_view bytes) {
    std::string out(
        sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.find('\0'));
    return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
    std::string out(text.size(), '\0');
    std::size_t length = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &length, nullptr,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return std::nullopt;
    out.resize(length);
    return out;
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes, size);
    out.pop_back();
    return out;
}

std::string sign_entry_token(const EntryKey& key, const EntryClaims& claims) {
    const std::string payload = claims.schedule_id + "|" + claims.user_id + "|" + claims.join_id +
                                "|" + std::to_string(claims.expires_at);
    std::string signed_part = std::string(prefix) + base64url(payload);
    const auto tag = mac(key, signed_part);
    return signed_part + "." +
           base64url(std::string_view(reinterpret_cast<const char*>(tag.data()), tag.size()));
}

EntryVerdict verify_entry_token(const EntryKey& key, std::string_view token,
                                std::string_view schedule_id, std::string_view user_id,
                                int64_t now_s, EntryClaims* claims_out) {
    if (token.size() > 1024 || !token.starts_with(prefix)) return EntryVerdict::malformed;
    const auto dot = token.rfind('.');
    if (dot == std::string_view::npos || dot < prefix.size()) return EntryVerdict::malformed;
    const std::string_view signed_part = token.substr(0, dot);
    auto tag = from_base64url(token.substr(dot + 1));
    if (!tag || tag->size() != crypto_auth_hmacsha256_BYTES) return EntryVerdict::malformed;
    const auto expected = mac(key, signed_part);
    if (sodium_memcmp(expected.data(), tag->data(), expected.size()) != 0)
        return EntryVerdict::signature;
    auto payload = from_base64url(signed_part.substr(prefix.size()));
    if (!payload) return EntryVerdict::malformed;
    const auto parts = split(*payload, '|');
    if (parts.size() != 4) return EntryVerdict::malformed;
    EntryClaims claims{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), 0};
    const auto [end, ec] =
        std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), claims.expires_at);
    if (ec != std::errc{} || end != parts[3].data() + parts[3].size())
        return EntryVerdict::malformed;
    if (claims.schedule_id != schedule_id) return EntryVerdict::wrong_schedule;
    if (claims.user_id != user_id) return EntryVerdict::wrong_user;
    if (claims.expires_at <= now_s) return EntryVerdict::expired;
    if (claims_out != nullptr) *claims_out = std::move(claims);
    return EntryVerdict::valid;
}

std::string join_id_for(const EntryKey& key, std::string_view schedule_id,
                        std::string_view user_id) {
    const std::string text = "join|" + std::string(schedule_id) + "|" + std::string(user_id);
    const auto tag = mac(key, text);
    return "qj_" + to_hex(tag.data(), tag.size()).substr(0, 26);
}

std::optional<EntryKey> parse_entry_key(std::string_view text) {
    for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                        sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
        EntryKey key{};
        std::size_t length = 0;
        if (sodium_base642bin(key.data(), key.size(), text.data(), text.size(), nullptr, &length,
                              nullptr, variant) == 0 &&
            length == key.size())
            return key;
    }
    return std::nullopt;
}

}  // namespace admit::queue

#include "email_digest.hpp"

#include <sodium.h>

#include <cctype>

namespace admit::auth {

EmailDigest::EmailDigest(std::string key) : key_(std::move(key)) {}

EmailDigest::~EmailDigest() { sodium_memzero(key_.data(), key_.size()); }

std::string EmailDigest::normalise(std::string_view email) {
    const auto first = email.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = email.find_last_not_of(" \t\r\n");
    std::string out(email.substr(first, last - first + 1));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string EmailDigest::of(std::string_view email) const {
    const std::string text = normalise(email);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key_.data()),
                                key_.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                                  text.size());
    crypto_auth_hmacsha256_final(&state, mac);
    char hex[sizeof mac * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    return std::string(hex, sizeof hex - 1);
}

}  // namespace admit::auth

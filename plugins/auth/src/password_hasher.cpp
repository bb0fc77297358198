#include "password_hasher.hpp"

#include <sodium.h>

#include <algorithm>

namespace admit::auth {

HasherLimits PasswordHasher::raised(HasherLimits limits) {
    limits.opslimit = std::max<unsigned long long>(limits.opslimit, 2);
    limits.memlimit_bytes = std::max<std::size_t>(limits.memlimit_bytes, 19u << 20);
    return limits;
}

PasswordHasher::PasswordHasher(HasherLimits limits)
    : limits_(raised(limits)),
      gate_(GateLimits{limits_.concurrency, limits_.max_waiting, limits_.per_client,
                       limits_.max_wait}) {}

sdk::Result<std::string> PasswordHasher::hash(std::string_view password, std::string_view client) {
    auto ticket = gate_.enter(client);
    if (!ticket) return std::move(ticket).error();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), limits_.opslimit,
                              limits_.memlimit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return sdk::Error::internal("argon2id hashing failed (out of memory?)");
    }
    return std::string(out);
}

sdk::Result<bool> PasswordHasher::verify(std::string_view encoded, std::string_view password,
                                         std::string_view client) {
    if (encoded.size() >= crypto_pwhash_STRBYTES) return false;
    char stored[crypto_pwhash_STRBYTES] = {};
    std::copy(encoded.begin(), encoded.end(), stored);
    auto ticket = gate_.enter(client);
    if (!ticket) return std::move(ticket).error();
    return crypto_pwhash_str_verify(stored, password.data(), password.size()) == 0;
}

bool PasswordHasher::needs_rehash(std::string_view encoded) const {
    if (encoded.size() >= crypto_pwhash_STRBYTES) return true;
    char stored[crypto_pwhash_STRBYTES] = {};
    std::copy(encoded.begin(), encoded.end(), stored);
    return crypto_pwhash_str_needs_rehash(stored, limits_.opslimit, limits_.memlimit_bytes) != 0;
}

}  // namespace admit::auth

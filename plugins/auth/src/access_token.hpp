// Access tokens: compact JWS (RFC 7515/7519) signed with Ed25519 ("alg":"EdDSA", "typ":"at+jwt").
//
// verify_access_token() accepts exactly what sign_access_token() produces: three base64url parts,
// a header with alg EdDSA (nothing else: no "none", no HS*/RS* confusion), typ at+jwt, a kid the
// key ring knows and no "crit"; a valid Ed25519 signature; then iss, aud, exp, nbf, iat and the
// identity claims. Pure functions, thread-safe.
#pragma once

#include "key_ring.hpp"

#include <admit/sdk/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace admit::auth {

struct TokenSettings {
    std::string issuer = "admit";
    std::string audience = "admit-api";
    int64_t leeway_seconds = 10;  ///< clock skew tolerated on exp and nbf
};

/// The claims of an access token (times in unix seconds).
struct AccessClaims {
    std::string subject;  ///< user id
    std::string role;
    std::string tier;
    std::string session;  ///< refresh family id
    int64_t version = 0;  ///< the user's token version when issued (bumped by admin changes)
    int64_t issued_at = 0;
    int64_t not_before = 0;
    int64_t expires_at = 0;
    std::string token_id;
    std::string client_id;  ///< the client the session was started for (RFC 9068 client_id)
};

/// Longest token verify_access_token() looks at; longer input is refused unparsed.
inline constexpr std::size_t kMaxTokenLength = 4096;

/// Signs `claims` with `key` (which must have a secret).
sdk::Result<std::string> sign_access_token(const SigningKey& key, const AccessClaims& claims,
                                           const TokenSettings& settings);

/// The claims of a valid token; ADMIT_E_REJECTED with the reason otherwise. An unknown kid is
/// ADMIT_E_NOT_FOUND (the caller may reload its keys and retry once).
sdk::Result<AccessClaims> verify_access_token(std::string_view token, const KeyRing& keys,
                                              const TokenSettings& settings, int64_t now);

/// ok when exp and nbf of claims verified earlier still hold at `now` (with the leeway), the
/// refusal verify_access_token would give otherwise; what a cached verification re-checks on
/// every use.
sdk::Status token_times_valid(const AccessClaims& claims, const TokenSettings& settings,
                              int64_t now);

}  // namespace admit::auth

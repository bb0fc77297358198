// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 30-second steps,
// 6 digits by default, and RFC 4648 base32 for the shared secret that authenticator apps read.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace admit::auth::totp {

inline constexpr int64_t kStepSeconds = 30;
inline constexpr int kDigits = 6;
inline constexpr std::size_t kSecretBytes = 20;  ///< 160 bits, the size RFC 4226 recommends

/// The time step of a unix time: floor(seconds / 30) (T0 = 0).
int64_t step_of(int64_t unix_seconds);
/// The HOTP code of `secret` (raw bytes) at counter `step`, `digits` long with leading zeros.
std::string code_at(std::string_view secret, int64_t step, int digits = kDigits);
/// The step among step_of(now) - window .. step_of(now) + window whose code equals `code`
/// (compared in constant time), or nullopt. A code of the wrong length or with non-digits never
/// matches.
std::optional<int64_t> matching_step(std::string_view secret, std::string_view code, int64_t now,
                                     int window = 1);

/// RFC 4648 base32 (upper case, no padding), as otpauth URIs carry secrets.
std::string base32_encode(std::string_view bytes);
/// Inverse of base32_encode (case-insensitive, padding ignored); nullopt for other characters.
std::optional<std::string> base32_decode(std::string_view text);

/// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
/// (issuer and account percent-encoded).
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view base32_secret);

}  // namespace admit::auth::totp

// Byte encodings and random identifiers used by the auth plugin (all backed by libsodium).
// Every function is thread-safe; sodium_init() must have succeeded before any of them runs
// (AuthPlugin::init guarantees it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace admit::auth {

/// base64url without padding (RFC 7515 section 2).
std::string base64url_encode(std::string_view bytes);
/// Strict base64url without padding: nullopt for padding, foreign characters or non-canonical
/// trailing bits.
std::optional<std::string> base64url_decode(std::string_view text);

/// Lower-case hex of SHA-256(bytes).
std::string sha256_hex(std::string_view bytes);

/// `byte_count` random bytes, base64url encoded (refresh tokens, key material).
std::string random_token(std::size_t byte_count);

}  // namespace admit::auth

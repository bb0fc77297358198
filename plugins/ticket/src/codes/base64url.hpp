// base64url without padding (RFC 7515 section 2), as JWKs spell keys. Backed by libsodium;
// thread-safe once init_ticket_codes() has run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace admit::ticket {

std::string base64url_encode(std::span<const uint8_t> bytes);
/// Strict: nullopt for padding, whitespace, foreign characters or non-canonical trailing bits.
std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text);

}  // namespace admit::ticket

// Base45 (RFC 9285): bytes as text from the 45 characters of the QR code's alphanumeric mode,
// so a QR code stores each character in 5.5 bits. Pure functions, thread-safe.
#pragma once

#include <admit/sdk/result.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace admit::ticket {

/// Every 2 bytes become 3 characters, a last odd byte 2 characters.
std::string base45_encode(std::span<const uint8_t> bytes);

/// Strict decoding: ADMIT_E_INVALID_ARGUMENT (message says why) for a character outside the
/// alphabet, a length of 3n+1, or a group whose value does not fit its bytes (RFC 9285 section 6).
sdk::Result<std::vector<uint8_t>> base45_decode(std::string_view text);

}  // namespace admit::ticket

// OpenSSL helpers of the toss adapter: HMAC-SHA256 (hex), Base64, constant-time comparison.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace admit::toss {

std::string hmac_sha256_hex(std::string_view key, std::string_view message);
std::string base64_encode(std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace admit::toss

// Small OpenSSL wrappers: HMAC-SHA256 (webhook signatures), Base64 (Basic auth) and a
// constant-time comparison. Stateless and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace admit::paysim {

std::string hmac_sha256_hex(std::string_view key, std::string_view message);
std::string base64_encode(std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace admit::paysim

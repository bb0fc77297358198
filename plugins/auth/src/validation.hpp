// Input rules for accounts. Each check returns ADMIT_E_INVALID_ARGUMENT with a message that
// names the field (400 INVALID_REQUEST), or the normalized value.
#pragma once

#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace admit::auth {

inline constexpr std::size_t kMinPasswordBytes = 10;
inline constexpr std::size_t kMaxPasswordBytes = 128;
inline constexpr std::size_t kMaxEmailBytes = 254;
inline constexpr std::size_t kMaxNameChars = 100;

bool is_known_role(std::string_view role) noexcept;
bool is_known_tier(std::string_view tier) noexcept;
bool is_known_status(std::string_view status) noexcept;

/// A plausible address (one '@', non-empty local part <= 64 bytes, a dotted domain, no spaces or
/// control characters, <= 254 bytes), lower-cased.
sdk::Result<std::string> valid_email(const boost::json::object& body,
                                     std::string_view field = "email");
/// 10..128 bytes (any characters).
sdk::Result<std::string> valid_password(const boost::json::object& body,
                                        std::string_view field = "password");
/// 1..100 characters after trimming, valid UTF-8, no control characters.
sdk::Result<std::string> valid_name(const boost::json::object& body,
                                    std::string_view field = "name");
/// A string field that must be one of the values accepted by `allowed` (nullopt when absent).
sdk::Result<std::optional<std::string>> optional_choice(const boost::json::object& body,
                                                        std::string_view field,
                                                        bool (*allowed)(std::string_view) noexcept,
                                                        std::string_view allowed_text);

}  // namespace admit::auth

// RFC 3339 UTC text <-> Unix microseconds, and opaque random ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace admit::reservation {

/// "2026-11-21T10:00:00Z" (whole seconds; milliseconds appended when not zero).
std::string rfc3339(int64_t unix_us);

/// Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]"; nullopt for anything else.
std::optional<int64_t> parse_rfc3339(std::string_view text);

/// `prefix` followed by 32 hex digits of 128 random bits (getrandom). Thread-safe.
std::string new_id(std::string_view prefix);

} // namespace admit::reservation

// RFC 3339 text for reservation timestamps (the SDK's, with milliseconds, since expiry times
// are not whole seconds).
#pragma once

#include <admit/sdk/time_text.hpp>

#include <cstdint>
#include <string>

namespace admit::reservation {

/// "2026-11-21T10:00:00Z" (whole seconds; milliseconds appended when not zero).
inline std::string rfc3339(int64_t unix_us) {
    return sdk::format_rfc3339(unix_us, /*with_millis=*/true);
}

using sdk::parse_rfc3339;

}  // namespace admit::reservation

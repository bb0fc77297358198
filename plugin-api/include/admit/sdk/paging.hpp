// List paging, as API.md fixes it for every list route: ?limit= (default 50, 1..200) and
// ?cursor=, answered as {"items": [...], "nextCursor": "..." | null}.
#pragma once

#include <admit/sdk/request.hpp>
#include <admit/sdk/result.hpp>

#include <charconv>
#include <cstdint>

namespace admit::sdk {

inline constexpr int64_t kDefaultPageLimit = 50;
inline constexpr int64_t kMaxPageLimit = 200;

/// The request's ?limit, or the default; an invalid value is INVALID_ARGUMENT naming the field.
inline Result<int64_t> page_limit(const Request& request) {
    auto text = request.query("limit");
    if (!text) return kDefaultPageLimit;
    int64_t limit = 0;
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, limit);
    if (ec != std::errc{} || ptr != end || limit < 1 || limit > kMaxPageLimit) {
        return Error::invalid("query parameter 'limit' must be an integer between 1 and 200");
    }
    return limit;
}

}  // namespace admit::sdk

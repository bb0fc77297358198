// Paging of the plugin's seq-ordered lists (messages, dead letters, webhook deliveries): the
// cursor is the seq of the last item served.
#pragma once

#include "message_store.hpp"

#include <admit/sdk.hpp>

#include <charconv>
#include <optional>
#include <vector>

namespace admit::notification {

/// ?cursor= of a seq-ordered list: nullopt when absent, INVALID_ARGUMENT when malformed.
inline sdk::Result<std::optional<int64_t>> cursor_of(const sdk::Request& request) {
    auto text = request.query("cursor");
    if (!text || text->empty()) return std::optional<int64_t>();
    int64_t seq = 0;
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, seq);
    if (ec != std::errc{} || ptr != end || seq < 1)
        return sdk::Error::invalid("query parameter 'cursor' is not a cursor of this list");
    return std::optional<int64_t>(seq);
}

/// {"items", "nextCursor"} of a page fetched with limit + 1 rows.
inline sdk::Response page_of(std::vector<Message> rows, int64_t limit) {
    boost::json::array items;
    boost::json::value next = nullptr;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (static_cast<int64_t>(i) == limit) {
            next = std::to_string(rows[i - 1].seq);
            break;
        }
        items.push_back(message_json(rows[i]));
    }
    return sdk::Response::json(
        200, boost::json::object{{"items", std::move(items)}, {"nextCursor", std::move(next)}});
}

}  // namespace admit::notification

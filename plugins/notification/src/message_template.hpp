// A minimal text template: literal text with {{ name }} or {{ a.b }} placeholders filled from a
// JSON object. No logic, no loops, no escaping (messages are plain text). Debian packages
// libmstch-dev (Mustache), but Mustache renders a missing value as empty text, and a message
// with a silently blank amount or link is worse than one that is not sent: here a missing value
// is an error.
#pragma once

#include <admit/sdk.hpp>

#include <string>
#include <vector>

namespace admit::notification {

class MessageTemplate {
  public:
    /// Parses `text`; INVALID_ARGUMENT naming `origin`, the line and the problem for an unclosed
    /// "{{", an empty placeholder or a name with characters other than [A-Za-z0-9_.].
    /// `first_line`: the line of `origin` where `text` starts (for the error's line number).
    static sdk::Result<MessageTemplate> parse(std::string_view text, std::string_view origin,
                                              std::size_t first_line = 1);

    /// The text with every placeholder replaced by its value in `data` (strings as they are,
    /// numbers and booleans in JSON form). INVALID_ARGUMENT naming the placeholder when `data`
    /// has no value (or null) for it, or an object or array.
    sdk::Result<std::string> render(const boost::json::object& data) const;

    /// Placeholder names, in order of appearance.
    std::vector<std::string> names() const;

  private:
    struct Piece {
        bool placeholder = false;
        std::string text;  ///< literal text, or the placeholder's dotted name
    };
    std::vector<Piece> pieces_;
    std::string origin_;
};

}  // namespace admit::notification

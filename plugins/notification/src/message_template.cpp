#include "message_template.hpp"

#include <algorithm>

namespace admit::notification {

namespace {

bool valid_name(std::string_view name) {
    return !name.empty() && name.front() != '.' && name.back() != '.' &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.';
           });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::size_t line_of(std::string_view text, std::size_t offset) {
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
}

/// The value at dotted `path` in `data`, or nullptr.
const boost::json::value* lookup(const boost::json::object& data, std::string_view path) {
    const boost::json::object* object = &data;
    while (true) {
        const auto dot = path.find('.');
        const auto* value = object->if_contains(path.substr(0, dot));
        if (value == nullptr || dot == std::string_view::npos) return value;
        if (!value->is_object()) return nullptr;
        object = &value->as_object();
        path.remove_prefix(dot + 1);
    }
}

}  // namespace

sdk::Result<MessageTemplate> MessageTemplate::parse(std::string_view text, std::string_view origin,
                                                    std::size_t first_line) {
    MessageTemplate parsed;
    parsed.origin_ = std::string(origin);
    std::size_t at = 0;
    while (at < text.size()) {
        const auto open = text.find("{{", at);
        if (open == std::string_view::npos) {
            parsed.pieces_.push_back({false, std::string(text.substr(at))});
            break;
        }
        if (open > at) parsed.pieces_.push_back({false, std::string(text.substr(at, open - at))});
        const auto close = text.find("}}", open + 2);
        const auto newline = text.find('\n', open + 2);
        if (close == std::string_view::npos ||
            (newline != std::string_view::npos && newline < close)) {
            return sdk::Error::invalid(parsed.origin_ + ":" +
                                       std::to_string(first_line - 1 + line_of(text, open)) +
                                       ": '{{' is not closed by '}}' on the same line");
        }
        const auto name = trim(text.substr(open + 2, close - open - 2));
        if (!valid_name(name)) {
            return sdk::Error::invalid(parsed.origin_ + ":" +
                                       std::to_string(first_line - 1 + line_of(text, open)) +
                                       ": placeholder '" + std::string(name) +
                                       "' must be a name of letters, digits, '_' and '.'");
        }
        parsed.pieces_.push_back({true, std::string(name)});
        at = close + 2;
    }
    return parsed;
}

sdk::Result<std::string> MessageTemplate::render(const boost::json::object& data) const {
    std::string out;
    for (const auto& piece : pieces_) {
        if (!piece.placeholder) {
            out += piece.text;
            continue;
        }
        const auto* value = lookup(data, piece.text);
        if (value == nullptr || value->is_null()) {
            return sdk::Error::invalid(origin_ + ": no value for '" + piece.text + "'");
        }
        if (value->is_string())
            out += value->as_string();
        else if (value->is_object() || value->is_array())
            return sdk::Error::invalid(origin_ + ": '" + piece.text + "' is not a single value");
        else
            out += boost::json::serialize(*value);
    }
    return out;
}

std::vector<std::string> MessageTemplate::names() const {
    std::vector<std::string> found;
    for (const auto& piece : pieces_)
        if (piece.placeholder) found.push_back(piece.text);
    return found;
}

}  // namespace admit::notification

// HTTP content negotiation and conditional requests for plugins that serve cacheable bodies (the
// seat map, the web app's files): does the client take gzip (Accept-Encoding, RFC 9110 12.5.3),
// and does If-None-Match name the current entity tag (weak comparison, RFC 9110 13.1.2)?
// Trap avoided: two plugins parsing these headers two ways ("gzip;q=0, *" must refuse gzip: an
// explicit entry for a coding decides over the wildcard). Pure functions; thread-safe.
#pragma once

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace admit::sdk {

namespace detail {

inline std::string_view trim_spaces(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

inline bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// Calls `each` for every non-empty comma-separated element of a header list, trimmed, until it
// returns true.
template <typename Each>
void for_each_list_element(std::string_view list, Each each) {
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view element = trim_spaces(list.substr(0, comma));
        if (!element.empty() && each(element)) return;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
}

// The q value of a coding's parameters such as "q=0.5" (1 when absent, 0 when malformed).
inline double quality(std::string_view parameters) {
    std::size_t at = parameters.find("q=");
    if (at == std::string_view::npos) at = parameters.find("Q=");
    if (at == std::string_view::npos) return 1.0;
    const std::string value(trim_spaces(parameters.substr(at + 2)));
    char* end = nullptr;
    const double q = std::strtod(value.c_str(), &end);
    return end == value.c_str() ? 0.0 : q;
}

}  // namespace detail

/// True when `accept_encoding` takes gzip: an entry for gzip (or x-gzip) with a non-zero q
/// decides; otherwise "*" with a non-zero q; otherwise no.
inline bool accepts_gzip(std::optional<std::string_view> accept_encoding) {
    if (!accept_encoding) return false;
    bool accepted = false;
    detail::for_each_list_element(*accept_encoding, [&](std::string_view element) {
        const std::size_t semicolon = element.find(';');
        const std::string_view coding = detail::trim_spaces(element.substr(0, semicolon));
        const std::string_view parameters = semicolon == std::string_view::npos
                                                ? std::string_view()
                                                : element.substr(semicolon + 1);
        if (detail::equals_ignoring_case(coding, "gzip") ||
            detail::equals_ignoring_case(coding, "x-gzip")) {
            accepted = detail::quality(parameters) > 0.0;
            return true;  // an explicit gzip entry decides, whatever "*" says
        }
        if (coding == "*") accepted = detail::quality(parameters) > 0.0;
        return false;
    });
    return accepted;
}

/// True when `if_none_match` ("*", or a list of entity tags, weak or strong) matches `etag` by
/// the weak comparison If-None-Match uses.
inline bool etag_matches(std::optional<std::string_view> if_none_match, std::string_view etag) {
    if (!if_none_match) return false;
    auto opaque = [](std::string_view tag) {
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        return tag;
    };
    bool matched = false;
    detail::for_each_list_element(*if_none_match, [&](std::string_view element) {
        matched = element == "*" || opaque(element) == opaque(etag);
        return matched;
    });
    return matched;
}

}  // namespace admit::sdk

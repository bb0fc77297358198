#include "static_responder.hpp"

#include <cctype>

namespace admit::web {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// Calls `each` with every comma-separated, trimmed element of a header list.
template <class Each>
void for_each_element(std::string_view list, Each each) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        each(trim(list.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
}

sdk::Response with_security_headers(sdk::Response response) {
    response.header("Content-Security-Policy", std::string(kContentSecurityPolicy));
    response.header("X-Content-Type-Options", "nosniff");
    response.header("Referrer-Policy", "same-origin");
    return response;
}

}  // namespace

bool accepts_gzip(std::optional<std::string_view> accept_encoding) {
    if (!accept_encoding) return false;
    bool accepted = false;
    for_each_element(*accept_encoding, [&](std::string_view element) {
        const auto semicolon = element.find(';');
        const auto coding = trim(element.substr(0, semicolon));
        if (!equals_ignoring_case(coding, "gzip") && coding != "*") return;
        bool zero = false;
        if (semicolon != std::string_view::npos) {
            auto parameter = trim(element.substr(semicolon + 1));
            if (parameter.starts_with("q=") || parameter.starts_with("Q=")) {
                auto q = parameter.substr(2);
                zero = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
            }
        }
        if (!zero) accepted = true;
    });
    return accepted;
}

bool etag_matches(std::optional<std::string_view> if_none_match, std::string_view etag) {
    if (!if_none_match) return false;
    auto opaque = [](std::string_view tag) {
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        return tag;
    };
    bool matched = false;
    for_each_element(*if_none_match, [&](std::string_view element) {
        if (element == "*" || opaque(element) == opaque(etag)) matched = true;
    });
    return matched;
}

bool is_safe_segment(std::string_view segment) {
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (unsigned char c : segment) {
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '%') return false;
    }
    return true;
}

sdk::Response StaticResponder::answer(const AssetRequest& request) const {
    std::string relative;
    for (auto segment : request.segments) {
        if (!is_safe_segment(segment)) {
            return with_security_headers(sdk::Response::invalid_request(
                "path: dot segments, backslashes and percent-encoding are not served"));
        }
        if (!relative.empty()) relative += '/';
        relative.append(segment);
    }
    if (relative.empty()) return send(catalog_.index(), request);
    if (const Asset* asset = catalog_.find(relative)) return send(*asset, request);
    if (request.segments.front() == "assets") {
        return with_security_headers(
            sdk::Response::error(404, "NOT_FOUND", "no such file in the app: " + relative));
    }
    return send(catalog_.index(), request);  // a client-side route
}

sdk::Response StaticResponder::send(const Asset& asset, const AssetRequest& request) const {
    const bool gzip = asset.gzip && accepts_gzip(request.accept_encoding);
    const std::string& etag = gzip ? asset.gzip_etag : asset.etag;
    sdk::Response response;
    if (etag_matches(request.if_none_match, etag)) {
        response.status = 304;
    } else {
        response.status = 200;
        response.shared_body = gzip ? asset.gzip : asset.body;
        response.content_type = asset.content_type;
        if (gzip) response.header("Content-Encoding", "gzip");
    }
    response.header("ETag", etag);
    response.header("Cache-Control",
                    asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (asset.gzip) response.header("Vary", "Accept-Encoding");
    return with_security_headers(std::move(response));
}

}  // namespace admit::web

#include "host/pipeline/cookie_credentials.hpp"

namespace admit::runtime {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool changes_state(std::string_view method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

}  // namespace

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semicolon = header.find(';');
        const auto pair = trim(header.substr(0, semicolon));
        const auto equals = pair.find('=');
        if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name) {
            auto value = trim(pair.substr(equals + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
                value = value.substr(1, value.size() - 2);
            return value;
        }
        if (semicolon == std::string_view::npos) break;
        header.remove_prefix(semicolon + 1);
    }
    return std::nullopt;
}

std::optional<std::string_view> CookieCredentials::access_token(
    const http::Request& request) const {
    if (!enabled() || request.header("authorization")) return std::nullopt;
    auto header = request.header("cookie");
    if (!header) return std::nullopt;
    auto value = cookie_value(*header, rules_.access_cookie);
    if (!value || value->empty()) return std::nullopt;
    return value;
}

bool CookieCredentials::carries_session_cookie(std::string_view header) const {
    if (cookie_value(header, rules_.access_cookie)) return true;
    for (const auto& name : rules_.guarded_cookies) {
        if (cookie_value(header, name)) return true;
    }
    return false;
}

bool CookieCredentials::origin_allowed(std::string_view origin,
                                       const http::Request& request) const {
    for (const auto& trusted : rules_.trusted_origins) {
        if (origin == trusted) return true;
    }
    auto host = request.header("host");
    if (!host || host->empty()) return false;
    for (std::string_view scheme : {"http://", "https://"}) {
        if (origin.size() == scheme.size() + host->size() && origin.starts_with(scheme) &&
            origin.substr(scheme.size()) == *host)
            return true;
    }
    return false;
}

std::optional<std::string> CookieCredentials::refuse_cross_site(
    const http::Request& request) const {
    if (!enabled() || !changes_state(request.method) || request.header("authorization"))
        return std::nullopt;
    auto cookies = request.header("cookie");
    if (!cookies || !carries_session_cookie(*cookies)) return std::nullopt;
    auto origin = request.header("origin");
    if (!origin) {
        return "a cookie-authenticated request that changes state needs an Origin header "
               "(or use a bearer token)";
    }
    if (origin_allowed(*origin, request)) return std::nullopt;
    return "a cookie-authenticated request that changes state must come from this site's "
           "origin, not " +
           std::string(*origin);
}

}  // namespace admit::runtime

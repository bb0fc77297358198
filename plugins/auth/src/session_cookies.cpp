#include "session_cookies.hpp"

namespace admit::auth {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace

std::string set_cookie_line(std::string_view name, std::string_view value, std::string_view path,
                            int64_t max_age_seconds) {
    std::string line(name);
    line += '=';
    line += value;
    line += "; Path=";
    line += path;
    line += "; Max-Age=";
    line += std::to_string(max_age_seconds);
    line += "; HttpOnly; Secure; SameSite=Strict";
    return line;
}

sdk::Result<bool> SessionCookies::wants_cookies(const boost::json::object& body) const {
    const auto* field = body.if_contains("tokenDelivery");
    if (field == nullptr) return false;
    if (!field->is_string() || (field->as_string() != "cookie" && field->as_string() != "body"))
        return sdk::Error::invalid("field 'tokenDelivery' must be \"cookie\" or \"body\"");
    if (field->as_string() == "body") return false;
    if (!settings_.enabled)
        return sdk::Error::invalid("field 'tokenDelivery': cookies are not enabled on this venue");
    return true;
}

std::optional<std::string> SessionCookies::refresh_token(const sdk::Request& request) const {
    if (!settings_.enabled) return std::nullopt;
    auto header = request.header("cookie");
    if (!header) return std::nullopt;
    std::string_view rest = *header;
    while (!rest.empty()) {
        const auto semicolon = rest.find(';');
        const auto pair = trim(rest.substr(0, semicolon));
        const auto equals = pair.find('=');
        if (equals != std::string_view::npos &&
            trim(pair.substr(0, equals)) == settings_.refresh_cookie) {
            auto value = trim(pair.substr(equals + 1));
            if (value.empty()) return std::nullopt;
            return std::string(value);
        }
        if (semicolon == std::string_view::npos) break;
        rest.remove_prefix(semicolon + 1);
    }
    return std::nullopt;
}

void SessionCookies::deliver(sdk::Response& response, std::string_view access_token,
                             int64_t access_ttl, std::string_view refresh_token,
                             int64_t refresh_ttl) const {
    response.header("Set-Cookie",
                    set_cookie_line(settings_.access_cookie, access_token, "/", access_ttl));
    response.header("Set-Cookie", set_cookie_line(settings_.refresh_cookie, refresh_token,
                                                  settings_.refresh_path, refresh_ttl));
}

void SessionCookies::clear(sdk::Response& response) const {
    if (!settings_.enabled) return;
    response.header("Set-Cookie", set_cookie_line(settings_.access_cookie, "", "/", 0));
    response.header("Set-Cookie",
                    set_cookie_line(settings_.refresh_cookie, "", settings_.refresh_path, 0));
}

}  // namespace admit::auth

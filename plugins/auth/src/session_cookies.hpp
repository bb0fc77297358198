// SessionCookies: tokens delivered to a browser as HttpOnly, Secure, SameSite=Strict cookies
// instead of in the response body, so no script (and no injected script) can read them.
// - The access token: `access_cookie` (default "__Host-admit_at"), Path=/, lives as long as the
//   token. The host reads it when a request has no Authorization header ([server.session_cookies]
//   access_token must name the same cookie) and refuses cross-site mutations that carry it.
// - The refresh token: `refresh_cookie` (default "__Secure-admit_rt"), Path=/api/v1/auth (sent
//   only to login, refresh and logout), lives as long as the refresh token.
// A client asks for cookies with "tokenDelivery": "cookie" in the login or refresh body; a refresh
// with no "refreshToken" in its body takes the refresh cookie. Browsers accept Secure cookies on
// https and on http://localhost / http://127.0.0.1 (checked with Chromium 156).
// Config ([plugin.auth]): session_cookies = true enables it; access_cookie, refresh_cookie.
// Immutable after construction; thread-safe.
#pragma once

#include <admit/sdk/request.hpp>
#include <admit/sdk/response.hpp>
#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace admit::auth {

struct CookieSettings {
    bool enabled = false;
    std::string access_cookie = "__Host-admit_at";
    std::string refresh_cookie = "__Secure-admit_rt";
    std::string refresh_path = "/api/v1/auth";
};

class SessionCookies {
  public:
    explicit SessionCookies(CookieSettings settings) : settings_(std::move(settings)) {}

    const CookieSettings& settings() const { return settings_; }

    // Does the body ask for cookies? "tokenDelivery": "cookie" | "body" (default "body").
    // Errors (ADMIT_E_INVALID_ARGUMENT): another value or type; "cookie" when not enabled.
    sdk::Result<bool> wants_cookies(const boost::json::object& body) const;

    // The refresh cookie's value in the request, when enabled and present.
    std::optional<std::string> refresh_token(const sdk::Request& request) const;

    // Adds the Set-Cookie headers that deliver both tokens.
    void deliver(sdk::Response& response, std::string_view access_token, int64_t access_ttl,
                 std::string_view refresh_token, int64_t refresh_ttl) const;

    // Adds Set-Cookie headers that make the browser forget both cookies (when enabled).
    void clear(sdk::Response& response) const;

  private:
    CookieSettings settings_;
};

// "name=value; Path=...; Max-Age=...; HttpOnly; Secure; SameSite=Strict".
std::string set_cookie_line(std::string_view name, std::string_view value, std::string_view path,
                            int64_t max_age_seconds);

}  // namespace admit::auth

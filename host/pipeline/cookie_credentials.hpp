// CookieCredentials: browser sessions in HttpOnly cookies ([server.session_cookies]).
// - access_token(): the access token a request carries in the configured cookie, used only when
//   the request has no Authorization header (a bearer token always wins, so API clients are
//   unaffected).
// - refuse_cross_site(): CSRF protection. A request that changes state (any method but GET, HEAD,
//   OPTIONS), has no Authorization header and carries a session cookie (the access cookie or a
//   guarded one such as the refresh cookie) must come from the app's origin: its Origin header
//   must equal the request's own origin ("http://" or "https://" + Host) or a trusted origin.
//   A missing Origin is refused too (browsers send Origin on every non-GET request; a client
//   that cannot is not a browser and should use a bearer token). SameSite=Strict already keeps
//   the cookies off cross-site requests in current browsers; this check does not rely on it.
// Off (both do nothing) when no access cookie is configured. Immutable; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/http/request.hpp"

namespace admit::runtime {

struct CookieRules {
    std::string access_cookie;                 // empty: cookie sessions off
    std::vector<std::string> guarded_cookies;  // more session cookies under the Origin check
    std::vector<std::string> trusted_origins;  // exact, besides the request's own origin
};

class CookieCredentials {
  public:
    explicit CookieCredentials(CookieRules rules) : rules_(std::move(rules)) {}

    bool enabled() const { return !rules_.access_cookie.empty(); }

    // The access cookie's value when the request has no Authorization header; nullopt otherwise
    // (also when off, or the cookie is absent or empty). Views into `request`.
    std::optional<std::string_view> access_token(const http::Request& request) const;

    // Why this request must be refused as cross-site (403 FORBIDDEN), or nullopt to go on.
    std::optional<std::string> refuse_cross_site(const http::Request& request) const;

  private:
    bool carries_session_cookie(std::string_view cookie_header) const;
    bool origin_allowed(std::string_view origin, const http::Request& request) const;

    CookieRules rules_;
};

// The value of cookie `name` in a Cookie header ("a=1; b=2"), nullopt when absent.
std::optional<std::string_view> cookie_value(std::string_view cookie_header, std::string_view name);

}  // namespace admit::runtime

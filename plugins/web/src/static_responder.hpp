// StaticResponder: answers GET/HEAD for the app from an AssetCatalog, as a browser and a cache
// expect (RFC 9110, 9111):
// - content-hashed files under assets/ are `public, max-age=31536000, immutable`;
// - everything else (index.html above all) is `no-cache` with a strong ETag, so a browser
//   revalidates and gets 304 when nothing changed, and a new deploy is seen at once;
// - the build's gzip twin is sent when Accept-Encoding allows it (`Vary: Accept-Encoding`, its own
//   ETag: a strong tag names exact bytes);
// - a strict Content-Security-Policy (scripts, styles, fonts, images and API calls from this origin
//   only, no inline script, no framing) and nosniff on every answer;
// - an app path that names no file gets index.html (client-side routes), except under assets/
//   (a missing bundle is a 404, never HTML parsed as script);
// - a path with a dot segment, a backslash, an encoded separator or dot, or a control character is
//   refused with 400 before any lookup.
// Immutable; thread-safe.
#pragma once

#include <admit/sdk/content_negotiation.hpp>
#include <admit/sdk/response.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asset_catalog.hpp"

namespace admit::web {

// The Content-Security-Policy of every answer.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

struct AssetRequest {
    std::vector<std::string_view> segments;  // path segments below the app's mount point
    std::optional<std::string_view> if_none_match;
    std::optional<std::string_view> accept_encoding;
};

class StaticResponder {
  public:
    explicit StaticResponder(AssetCatalog catalog) : catalog_(std::move(catalog)) {}

    sdk::Response answer(const AssetRequest& request) const;

  private:
    sdk::Response send(const Asset& asset, const AssetRequest& request) const;

    AssetCatalog catalog_;
};

// Accept-Encoding and If-None-Match as every plugin reads them (admit/sdk/content_negotiation.hpp).
using sdk::accepts_gzip;
using sdk::etag_matches;

// True for a segment a file name of the app may have: not empty, not "." or "..", none of
// '\\', '%', control characters.
bool is_safe_segment(std::string_view segment);

}  // namespace admit::web

// The HTML API reference served at /docs, rendered on the server from the same OpenAPI document
// as /openapi.json (one source), with no script at all: nothing to load from a CDN, and a
// Content-Security-Policy that forbids scripts outright.
#pragma once

#include <string>
#include <string_view>

namespace admit::runtime {

// HTML for `openapi_json` (the output of render_openapi). Every text from the document is
// HTML-escaped. A document that does not parse yields a page that says so.
std::string render_api_reference(std::string_view openapi_json);

// The Content-Security-Policy that goes with the page.
inline constexpr std::string_view kApiReferenceCsp =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

}  // namespace admit::runtime

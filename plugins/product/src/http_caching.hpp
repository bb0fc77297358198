// HTTP caching and content negotiation for the seat map, the platform's most polled body:
// a strong ETag per representation, If-None-Match -> 304, and a gzip variant chosen by
// Accept-Encoding (RFC 9110 8.8.3, 12.5.3, 13.1.2).
// Traps avoided: one ETag for both the plain and the gzip bytes (a strong ETag names exact bytes,
// so caches would mix them up), and a version counter as the ETag (the Redis counter restarts
// when the hash is rebuilt, so an old tag could match a different map): tags hash the bytes.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <admit/sdk/content_negotiation.hpp>

namespace admit::product {

// Accept-Encoding and If-None-Match as every plugin reads them (admit/sdk/content_negotiation.hpp).
using sdk::accepts_gzip;
using sdk::etag_matches;

// A strong entity tag for `bytes`, quoted: "\"<16 hex digits of a 64-bit FNV-1a hash>\"" with
// `suffix` before the closing quote (".gz" for the gzip variant).
std::string entity_tag(std::string_view bytes, std::string_view suffix = {});

// `bytes` compressed as a gzip member (zlib, level 6); nullopt if zlib fails.
std::optional<std::string> gzip_compress(std::string_view bytes);

}  // namespace admit::product

// Trace ids: generating new ones and accepting a caller's (W3C traceparent or X-Request-Id).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace admit::observe {

// A fresh random 32-lower-hex-char id. Fast (thread-local PRNG seeded once per thread); not
// cryptographically strong, so never use it as a secret.
std::string generate_trace_id();

// The trace-id field of a W3C traceparent ("00-<32 hex>-<16 hex>-<2 hex>"), lower-cased; nullopt
// when the header is malformed or the trace-id/parent-id is all zeros. Version ff is invalid;
// future versions are accepted when they begin with the version-00 layout.
std::optional<std::string> parse_traceparent(std::string_view header);

// True when `id` is 1..128 characters of [A-Za-z0-9._-].
bool is_acceptable_request_id(std::string_view id);

// The id a request is traced under: a valid traceparent's trace-id, else an acceptable
// X-Request-Id, else a generated one. Empty arguments mean "header absent".
std::string resolve_trace_id(std::string_view traceparent, std::string_view request_id);

}  // namespace admit::observe

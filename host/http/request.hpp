// Request: one HTTP request as the dispatcher and plugins see it (no Beast types).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::http {

// A path parameter bound by Router::match; views into the matched path and the router's template.
struct PathParam {
    std::string_view name;
    std::string_view value;
};

struct Request {
    std::string method;                                        // as sent, e.g. "GET"
    std::string path;                                          // percent-decoded, without the query
    std::string query;                                         // raw, without '?'; may be empty
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in arrival order
    std::string body;
    std::string remote_addr;  // "ip:port" of the peer
    // The client's address (the peer, or through trusted proxies the forwarded client) and the
    // bucket its limits count in (client_bucket: IPv4 address or IPv6 /64).
    std::string client_ip;
    std::string client_bucket;
    std::string trace_id;  // resolved from traceparent / X-Request-Id or generated
    // Filled by whoever matches routes (the dispatcher); views into `path`, so keep them together.
    std::vector<PathParam> params;

    // Value of the first header called `name` (case-insensitive); nullopt when absent.
    std::optional<std::string_view> header(std::string_view name) const;
    // Value of the path parameter `name`; nullopt when the route has no such parameter.
    std::optional<std::string_view> param(std::string_view name) const;
};

// Decodes %XX escapes of a URL path into `out` ('+' stays '+'). Returns false on a malformed
// escape or a decoded NUL; `out` is then unspecified.
bool percent_decode_path(std::string_view raw, std::string& out);

}  // namespace admit::http

// A minimal blocking HTTP/1.1 client for admit-gate's sync: plain TCP (no TLS: run it against
// a local admitd or behind a TLS-terminating tunnel), one request per connection
// (Connection: close), Content-Length or chunked bodies. Not thread-safe per call; no state.
#pragma once

#include <admit/sdk/result.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace admit::ticket::gate {

/// "http://host[:port]" (a trailing "/" and a path prefix are allowed).
struct ServerAddress {
    std::string host;
    uint16_t port = 80;
    std::string base_path;  ///< prefix for every target, without a trailing "/"
};
sdk::Result<ServerAddress> parse_server_url(const std::string& url);

struct HttpAnswer {
    int status = 0;
    std::string body;
};

/// Sends one request and reads the whole answer. ADMIT_E_UNAVAILABLE when the server cannot
/// be reached or the answer is cut short; `timeout_ms` bounds each socket wait.
sdk::Result<HttpAnswer> http_call(const ServerAddress& server, const std::string& method,
                                  const std::string& target, const std::string& body,
                                  const std::map<std::string, std::string>& headers,
                                  int timeout_ms = 30000);

}  // namespace admit::ticket::gate

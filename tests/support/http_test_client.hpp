// A minimal blocking HTTP/1.1 client for tests: one request per connection (Connection: close),
// plain sockets, no Beast (keeps test builds fast). Never throws; a transport failure gives
// status 0 and the reason in `error`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace admit::testing {

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string error;
};

HttpResult http_request(uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "",
                        const std::map<std::string, std::string>& headers = {},
                        int timeout_ms = 10000);

// The header lines of an HTTP message `raw` whose head ends at `head_end` (the offset of the blank
// line), after the start line: lower-case names, values without leading spaces.
std::map<std::string, std::string> parse_header_lines(const std::string& raw, std::size_t head_end);

// Sends raw bytes and returns whatever the server answers until it closes (or the timeout).
std::string http_raw(uint16_t port, const std::string& bytes, int timeout_ms = 5000);

}  // namespace admit::testing

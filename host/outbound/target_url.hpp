// TargetUrl: an absolute http/https URL taken apart for a request, and the upstream it belongs to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "host/common/result.hpp"

namespace admit::outbound {

struct TargetUrl {
    bool tls = false;  // https
    std::string host;  // as written (a name or an IP literal, without brackets)
    std::uint16_t port = 0;
    std::string target;  // path and query, "/" when empty
    // "https://host:port": the unit of pooling, breaking and metrics.
    std::string upstream() const;
    // The Host header value ("host" or "host:port" when the port is not the scheme's default).
    std::string host_header() const;
};

// Parses `url`; INVALID_ARGUMENT for anything but http(s)://host[:port][/path][?query] without
// user info or fragment.
Result<TargetUrl> parse_target_url(std::string_view url);

}  // namespace admit::outbound

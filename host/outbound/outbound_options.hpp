// OutboundOptions: the settings of the host's outbound HTTP client ([outbound] in the host config).
// Plain values with the documented defaults; the Application copies them from HostConfig.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>

namespace admit::outbound {

// A circuit breaker per upstream, with the numbers URR uses: over a sliding window of the last
// `window` calls, it opens at >= failure_percent failures or >= slow_percent calls slower than
// `slow_call`; it refuses every call for `open_for`, then lets `half_open_calls` trial calls
// through and closes again if they are healthy by the same rates (else opens again).
struct BreakerOptions {
    std::uint32_t window = 10;
    std::uint32_t failure_percent = 50;
    std::uint32_t slow_percent = 80;
    std::chrono::milliseconds slow_call{3000};
    std::chrono::milliseconds open_for{10000};
    std::uint32_t half_open_calls = 3;
};

struct OutboundOptions {
    std::chrono::milliseconds connect_timeout{2000};  // default per request
    std::chrono::milliseconds read_timeout{10000};    // default per request: write to last byte
    std::chrono::milliseconds max_timeout{30000};     // caps each request's connect/read timeout
    std::uint32_t max_attempts = 3;                   // default and cap; retries: idempotent only
    std::chrono::milliseconds retry_backoff{100};     // before the 2nd attempt; doubles
    std::uint32_t max_idle_per_upstream = 16;         // idle keep-alive connections kept
    std::chrono::milliseconds idle_keepalive{30000};  // an idle connection older is closed
    std::uint64_t max_response_bytes = 1024 * 1024;   // a larger body fails the call
    bool verify_tls = true;         // verify certificates and host names (never off in production)
    std::filesystem::path ca_file;  // extra trusted CA bundle (PEM), besides the system store
    BreakerOptions breaker;
};

}  // namespace admit::outbound

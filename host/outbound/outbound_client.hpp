// OutboundClient: the host's outbound HTTP(S) service behind admit_host_api.http_request.
//
// A call runs on the caller's thread and blocks it at most
//   attempts * (connect timeout + read timeout) + the backoffs between attempts,
// where each timeout is the request's (or the default) capped by max_timeout and attempts is the
// request's (or the default) capped by max_attempts. Per upstream (scheme + host + port) it keeps
// a ConnectionPool, a CircuitBreaker and UpstreamMetrics.
//
// Retries: a request that certainly did not leave (no connection) is tried again whatever its
// method; one that may have been sent (timeout, broken connection) only when it is idempotent
// (GET, HEAD, PUT, DELETE, OPTIONS, or carrying an Idempotency-Key header). An answer (any status)
// is never retried. A breaker refusal ends the call at once (not_sent).
//
// Thread-safe; upstreams live as long as the client.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "host/common/result.hpp"
#include "host/outbound/circuit_breaker.hpp"
#include "host/outbound/http_connection.hpp"
#include "host/outbound/outbound_options.hpp"
#include "host/outbound/tls_context.hpp"

namespace admit::observe {
class MetricsRegistry;
}
namespace boost::asio::ssl {
class context;
}

namespace admit::outbound {

struct OutboundRequest {
    std::string method;
    std::string url;
    HeaderList headers;
    std::string body;
    std::chrono::milliseconds connect_timeout{0};  // 0: default
    std::chrono::milliseconds read_timeout{0};     // 0: default
    std::uint32_t max_attempts = 0;                // 0: default
};

// invalid: the request was malformed (nothing sent). not_sent / no_answer / too_large: as
// ExchangeOutcome. answered: `response` holds the answer (any status).
enum class OutboundFailure { none, invalid, not_sent, no_answer, too_large };

struct OutboundResult {
    OutboundFailure failure = OutboundFailure::none;
    std::string message;
    WireResponse response;
    std::uint32_t attempts = 0;  // requests written
    std::chrono::milliseconds latency{0};
};

class OutboundClient {
  public:
    // Fails (CONFIG_INVALID_VALUE) when the CA file cannot be loaded.
    static Result<std::unique_ptr<OutboundClient>> create(OutboundOptions options,
                                                          observe::MetricsRegistry* metrics);
    ~OutboundClient();
    OutboundClient(const OutboundClient&) = delete;
    OutboundClient& operator=(const OutboundClient&) = delete;

    OutboundResult call(const OutboundRequest& request);

    // The breaker state of an upstream ("http://127.0.0.1:8080"); closed when never called.
    BreakerState breaker_state(const std::string& upstream);

  private:
    struct Upstream;
    OutboundClient(OutboundOptions options, observe::MetricsRegistry* metrics);
    Upstream& upstream(const std::string& key);

    OutboundOptions options_;
    observe::MetricsRegistry* metrics_;
    LazyTlsContext tls_;  // after options_, from which it is made
    std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Upstream>> upstreams_;
};

}  // namespace admit::outbound

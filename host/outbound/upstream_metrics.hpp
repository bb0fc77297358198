// UpstreamMetrics: the Prometheus series of one upstream, registered once when the upstream is
// first called:
//   admit_outbound_requests_total{upstream,outcome}  outcome: answered, server_error (5xx),
//       not_sent (no connection), circuit_open (refused by the breaker), no_answer, too_large
//   admit_outbound_request_seconds{upstream}         latency of each call, retries included
//   admit_outbound_attempts_total{upstream}          requests written (retries show as the excess)
//   admit_outbound_connections_opened_total{upstream} new connections (pool reuse shows as few)
//   admit_outbound_breaker_state{upstream}           0 closed, 1 open, 2 half-open
// Without a registry every recording is a no-op. Recording is lock-free.
#pragma once

#include <array>
#include <chrono>
#include <string>

#include "host/outbound/circuit_breaker.hpp"

namespace admit::observe {
class MetricsRegistry;
class Counter;
class Gauge;
class Histogram;
}  // namespace admit::observe

namespace admit::outbound {

enum class CallOutcome { answered, server_error, not_sent, circuit_open, no_answer, too_large };
inline constexpr std::size_t kCallOutcomes = 6;
std::string_view to_string(CallOutcome outcome);

class UpstreamMetrics {
  public:
    UpstreamMetrics(observe::MetricsRegistry* registry, const std::string& upstream);

    void call(CallOutcome outcome, std::chrono::milliseconds latency);
    void attempt();
    void connection_opened();
    void breaker(BreakerState state);

  private:
    std::array<observe::Counter*, kCallOutcomes> outcomes_{};
    observe::Histogram* latency_ = nullptr;
    observe::Counter* attempts_ = nullptr;
    observe::Counter* connections_ = nullptr;
    observe::Gauge* breaker_ = nullptr;
};

}  // namespace admit::outbound

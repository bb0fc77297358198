#include "host/outbound/upstream_metrics.hpp"

#include <spdlog/spdlog.h>

#include "host/observe/metrics_registry.hpp"

namespace admit::outbound {

std::string_view to_string(CallOutcome outcome) {
    switch (outcome) {
        case CallOutcome::answered:
            return "answered";
        case CallOutcome::server_error:
            return "server_error";
        case CallOutcome::not_sent:
            return "not_sent";
        case CallOutcome::circuit_open:
            return "circuit_open";
        case CallOutcome::no_answer:
            return "no_answer";
        case CallOutcome::too_large:
            return "too_large";
    }
    return "answered";
}

namespace {

template <class T>
T* or_null(Result<T*> registered, std::string_view what) {
    if (registered) return registered.value();
    spdlog::warn("outbound metric {}: {}", what, registered.error().message);
    return nullptr;
}

}  // namespace

UpstreamMetrics::UpstreamMetrics(observe::MetricsRegistry* registry, const std::string& upstream) {
    if (registry == nullptr) return;
    for (std::size_t i = 0; i < kCallOutcomes; ++i) {
        const auto outcome = static_cast<CallOutcome>(i);
        outcomes_[i] = or_null(
            registry->counter(
                "admit_outbound_requests_total", "Outbound HTTP calls by upstream and outcome",
                {{"upstream", upstream}, {"outcome", std::string(to_string(outcome))}}),
            "requests");
    }
    latency_ = or_null(registry->histogram("admit_outbound_request_seconds",
                                           "Outbound HTTP call latency, retries included",
                                           {{"upstream", upstream}}),
                       "latency");
    attempts_ = or_null(registry->counter("admit_outbound_attempts_total",
                                          "Outbound HTTP requests written (retries included)",
                                          {{"upstream", upstream}}),
                        "attempts");
    connections_ =
        or_null(registry->counter("admit_outbound_connections_opened_total",
                                  "Outbound connections opened", {{"upstream", upstream}}),
                "connections");
    breaker_ = or_null(registry->gauge("admit_outbound_breaker_state",
                                       "Circuit breaker state: 0 closed, 1 open, 2 half-open",
                                       {{"upstream", upstream}}),
                       "breaker");
}

void UpstreamMetrics::call(CallOutcome outcome, std::chrono::milliseconds latency) {
    if (auto* counter = outcomes_[static_cast<std::size_t>(outcome)]) counter->inc();
    if (latency_ != nullptr) latency_->observe(static_cast<double>(latency.count()) / 1000.0);
}

void UpstreamMetrics::attempt() {
    if (attempts_ != nullptr) attempts_->inc();
}

void UpstreamMetrics::connection_opened() {
    if (connections_ != nullptr) connections_->inc();
}

void UpstreamMetrics::breaker(BreakerState state) {
    if (breaker_ != nullptr) breaker_->set(static_cast<double>(static_cast<int>(state)));
}

}  // namespace admit::outbound

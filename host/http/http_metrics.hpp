// HttpMetrics: the server's series in a MetricsRegistry, with a cache so recording a request
// costs a shared-lock hash lookup plus atomics.
#pragma once

#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "host/observe/metrics_registry.hpp"

namespace admit::http {

// Series (all prefixed admit_http_):
//   requests_total{route,method,status}        counter
//   request_duration_seconds{route}            histogram (default latency buckets)
//   open_connections, worker_queue_depth, workers_busy, sse_streams   gauges
//   overloaded_total, sse_dropped_total, sse_events_total             counters
// Thread-safe. The registry must outlive this object.
class HttpMetrics {
  public:
    explicit HttpMetrics(observe::MetricsRegistry& registry);

    // route_label "" is recorded as "unmatched"; method must be a known verb or "OTHER" (the
    // server guarantees it) so label cardinality stays bounded.
    void record_request(std::string_view route_label, std::string_view method, int status,
                        double seconds);

    observe::Gauge& open_connections() { return *open_connections_; }
    observe::Gauge& worker_queue_depth() { return *queue_depth_; }
    observe::Gauge& workers_busy() { return *workers_busy_; }
    observe::Gauge& sse_streams() { return *sse_streams_; }
    observe::Counter& overloaded() { return *overloaded_; }
    observe::Counter& sse_dropped() { return *sse_dropped_; }
    observe::Counter& sse_events() { return *sse_events_; }
    // Connections and streams refused by ConnectionLimits.
    observe::Counter& connections_refused() { return *connections_refused_; }
    observe::Counter& streams_refused() { return *streams_refused_; }

  private:
    struct Series {
        observe::Counter* requests;
        observe::Histogram* duration;
    };
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view key) const {
            return std::hash<std::string_view>{}(key);
        }
    };
    Series& series_for(std::string_view route, std::string_view method, int status);

    observe::MetricsRegistry& registry_;
    std::shared_mutex mutex_;
    std::unordered_map<std::string, Series, KeyHash, std::equal_to<>> cache_;
    observe::Gauge* open_connections_;
    observe::Gauge* queue_depth_;
    observe::Gauge* workers_busy_;
    observe::Gauge* sse_streams_;
    observe::Counter* overloaded_;
    observe::Counter* sse_dropped_;
    observe::Counter* sse_events_;
    observe::Counter* connections_refused_;
    observe::Counter* streams_refused_;
};

}  // namespace admit::http

#include "host/http/http_metrics.hpp"

#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

namespace admit::http {
namespace {

// The server's own series have fixed valid names, so failure here is a programming error.
template <typename T>
T* must(Result<T*> result) {
    if (!result) throw std::logic_error(result.error().message);
    return result.value();
}

}  // namespace

HttpMetrics::HttpMetrics(observe::MetricsRegistry& registry)
    : registry_(registry),
      open_connections_(
          must(registry.gauge("admit_http_open_connections", "Open client connections"))),
      queue_depth_(
          must(registry.gauge("admit_http_worker_queue_depth", "Requests waiting for a worker"))),
      workers_busy_(must(registry.gauge("admit_http_workers_busy", "Workers running a handler"))),
      sse_streams_(
          must(registry.gauge("admit_http_sse_streams", "Open server-sent event streams"))),
      overloaded_(must(
          registry.counter("admit_http_overloaded_total", "Requests refused with 503 OVERLOADED"))),
      sse_dropped_(must(
          registry.counter("admit_http_sse_dropped_total", "SSE streams dropped as too slow"))),
      sse_events_(
          must(registry.counter("admit_http_sse_events_total", "SSE events handed to streams"))),
      connections_refused_(must(
          registry.counter("admit_http_connections_refused_total",
                           "Connections refused by max_connections or max_connections_per_ip"))),
      streams_refused_(must(registry.counter("admit_http_streams_refused_total",
                                             "SSE streams refused by max_streams_per_ip"))) {}

HttpMetrics::Series& HttpMetrics::series_for(std::string_view route, std::string_view method,
                                             int status) {
    thread_local std::string key;
    key.assign(route);
    key += '\n';
    key += method;
    key += '\n';
    fmt::format_to(std::back_inserter(key), "{}", status);
    {
        std::shared_lock lock(mutex_);
        if (auto it = cache_.find(std::string_view(key)); it != cache_.end()) return it->second;
    }
    std::string status_text = std::to_string(status);
    Series series{must(registry_.counter("admit_http_requests_total",
                                         "HTTP requests by route, method and status",
                                         {{"route", std::string(route)},
                                          {"method", std::string(method)},
                                          {"status", status_text}})),
                  must(registry_.histogram("admit_http_request_duration_seconds",
                                           "HTTP request latency by route",
                                           {{"route", std::string(route)}}))};
    std::unique_lock lock(mutex_);
    return cache_.try_emplace(key, series).first->second;
}

void HttpMetrics::record_request(std::string_view route_label, std::string_view method, int status,
                                 double seconds) {
    if (route_label.empty()) route_label = "unmatched";
    Series& series = series_for(route_label, method, status);
    series.requests->inc();
    series.duration->observe(seconds);
}

}  // namespace admit::http

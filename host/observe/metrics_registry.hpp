// MetricsRegistry: the process's set of metric families and their series, rendered as Prometheus
// text exposition format 0.0.4.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/common/result.hpp"
#include "host/observe/metric_labels.hpp"
#include "host/observe/metrics.hpp"

namespace admit::observe {

enum class MetricKind { counter, gauge, histogram };

// Thread-safe. Registering is a locked map lookup: do it once and keep the returned pointer (a
// handle valid for the registry's lifetime); recording through the handle is lock-free.
//
// A family is fixed by its first registration: kind, help, label names (in order) and, for
// histograms, bucket bounds. Registering the same name and label values again returns the same
// series. Errors: METRIC_INVALID_NAME, METRIC_INVALID_LABELS, METRIC_CONFLICT (kind, label names
// or buckets differ from the family's).
class MetricsRegistry {
  public:
    MetricsRegistry();
    ~MetricsRegistry();
    MetricsRegistry(const MetricsRegistry&) = delete;
    MetricsRegistry& operator=(const MetricsRegistry&) = delete;

    Result<Counter*> counter(std::string_view name, std::string_view help,
                             const Labels& labels = {});
    Result<Gauge*> gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    // Bounds must be ascending and finite; empty means default_latency_buckets().
    Result<Histogram*> histogram(std::string_view name, std::string_view help,
                                 const Labels& labels = {}, std::span<const double> bounds = {});

    // Families sorted by name, series in registration order, with # HELP and # TYPE lines.
    std::string render_prometheus() const;

  private:
    struct Series;
    struct Family;
    Result<Series*> find_or_add(MetricKind kind, std::string_view name, std::string_view help,
                                const Labels& labels, std::span<const double> bounds);

    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

}  // namespace admit::observe

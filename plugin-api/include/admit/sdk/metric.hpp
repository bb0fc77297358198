// Metric handles. Registered during init; recording is thread-safe and cheap (one host call).
#pragma once

#include <admit/abi.h>

namespace admit::sdk {

/// A counter, gauge or histogram. A handle the host refused to register (NULL) records nothing.
class Metric {
  public:
    Metric() = default;
    Metric(const admit_host_api* api, admit_metric* raw) noexcept : api_(api), raw_(raw) {}

    /// Counter: adds `value` (default 1).
    void add(double value = 1.0) const noexcept { record(value); }
    /// Gauge: sets `value`.
    void set(double value) const noexcept { record(value); }
    /// Histogram: observes `value` (seconds for latencies).
    void observe(double value) const noexcept { record(value); }

    bool registered() const noexcept { return raw_ != nullptr; }

  private:
    void record(double value) const noexcept {
        if (raw_ != nullptr) api_->metric_record(raw_, value);
    }

    const admit_host_api* api_ = nullptr;
    admit_metric* raw_ = nullptr;
};

}  // namespace admit::sdk

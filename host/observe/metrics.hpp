// Metric instruments: Counter, Gauge, Histogram. Recording is lock-free (atomics) and safe from
// any thread; instruments are created and owned by MetricsRegistry and live as long as it does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace admit::observe {

// The default latency buckets in seconds: 0.0005 .. 10.
std::span<const double> default_latency_buckets();

// Monotonic counter. inc() is the cheap integer path; add() accepts fractional amounts (the plugin
// ABI records doubles). Negative or NaN amounts are ignored: a counter never goes down.
class Counter {
  public:
    void inc(std::uint64_t amount = 1) noexcept {
        whole_.fetch_add(amount, std::memory_order_relaxed);
    }
    void add(double amount) noexcept;
    double value() const noexcept;

  private:
    std::atomic<std::uint64_t> whole_{0};
    std::atomic<double> fractional_{0.0};
};

// A value that goes up and down.
class Gauge {
  public:
    void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
    void add(double delta) noexcept { value_.fetch_add(delta, std::memory_order_relaxed); }
    void inc() noexcept { add(1.0); }
    void dec() noexcept { add(-1.0); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> value_{0.0};
};

// Cumulative histogram over fixed upper bounds (ascending; +Inf is implicit).
class Histogram {
  public:
    struct Snapshot {
        std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf
        double sum = 0.0;
        std::uint64_t count = 0;
    };

    // Precondition: `bounds` ascending and finite (MetricsRegistry checks).
    explicit Histogram(std::span<const double> bounds);

    void observe(double value) noexcept;
    std::span<const double> bounds() const noexcept { return bounds_; }
    // Counts read one by one without a lock: good enough for scraping, not a consistent cut.
    Snapshot snapshot() const;

  private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1 slots
    std::atomic<double> sum_{0.0};
    std::atomic<std::uint64_t> count_{0};
};

}  // namespace admit::observe

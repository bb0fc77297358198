#include "host/observe/metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace admit::observe {

std::span<const double> default_latency_buckets() {
    static constexpr std::array<double, 14> kBuckets{
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
    return kBuckets;
}

void Counter::add(double amount) noexcept {
    if (!(amount > 0.0)) return;
    double whole = std::floor(amount);
    if (whole >= 1.0 && whole < 1e18) {
        inc(static_cast<std::uint64_t>(whole));
        amount -= whole;
    }
    if (amount > 0.0) fractional_.fetch_add(amount, std::memory_order_relaxed);
}

double Counter::value() const noexcept {
    return static_cast<double>(whole_.load(std::memory_order_relaxed)) +
           fractional_.load(std::memory_order_relaxed);
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double value) noexcept {
    // Linear scan: bucket lists are short and this stays in one cache line or two.
    std::size_t index = 0;
    while (index < bounds_.size() && value > bounds_[index]) ++index;
    buckets_[index].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot snap;
    snap.cumulative_counts.resize(bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        snap.cumulative_counts[i] = running;
    }
    snap.sum = sum_.load(std::memory_order_relaxed);
    snap.count = running;
    return snap;
}

}  // namespace admit::observe

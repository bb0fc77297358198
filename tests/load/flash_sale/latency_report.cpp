#include "latency_report.hpp"

#include <algorithm>

namespace admit::load {

void LatencyReport::record(std::chrono::microseconds latency, int status, const std::string& code) {
    const auto us = static_cast<uint32_t>(std::clamp<int64_t>(latency.count(), 0, UINT32_MAX));
    latencies_us_.push_back(us);
    latencies_by_status_us_[status].push_back(us);
    sorted_ = false;
    ++by_status_[status];
    ++by_answer_[code.empty() ? std::to_string(status) : std::to_string(status) + " " + code];
}

double LatencyReport::quantile_ms(double q) {
    if (latencies_us_.empty()) return 0;
    if (!sorted_) {
        std::sort(latencies_us_.begin(), latencies_us_.end());
        sorted_ = true;
    }
    const auto index =
        std::min(latencies_us_.size() - 1,
                 static_cast<std::size_t>(q * static_cast<double>(latencies_us_.size())));
    return latencies_us_[index] / 1000.0;
}

double LatencyReport::status_quantile_ms(int status, double q) {
    auto found = latencies_by_status_us_.find(status);
    if (found == latencies_by_status_us_.end() || found->second.empty()) return 0;
    auto& values = found->second;
    const auto index = std::min(values.size() - 1,
                                static_cast<std::size_t>(q * static_cast<double>(values.size())));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index),
                     values.end());
    return values[index] / 1000.0;
}

std::size_t LatencyReport::count_status(int status) const {
    auto found = by_status_.find(status);
    return found == by_status_.end() ? 0 : found->second;
}

}  // namespace admit::load

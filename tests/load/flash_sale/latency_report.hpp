// LatencyReport: latencies (from intended send time) and answer counts of one load run, and
// their printed summary. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace admit::load {

class LatencyReport {
  public:
    void record(std::chrono::microseconds latency, int status, const std::string& code);
    /// Latency at quantile q in [0, 1], in milliseconds (0 when empty).
    double quantile_ms(double q);
    std::size_t count() const { return latencies_us_.size(); }
    std::size_t count_status(int status) const;
    /// "201": n, "409 SEAT_TAKEN": n, ...
    const std::map<std::string, std::size_t>& by_answer() const { return by_answer_; }
    /// Latency at quantile q of the answers with `status` alone, in milliseconds (0 when none).
    double status_quantile_ms(int status, double q);

  private:
    std::vector<uint32_t> latencies_us_;
    bool sorted_ = true;
    std::map<std::string, std::size_t> by_answer_;
    std::map<int, std::size_t> by_status_;
    std::map<int, std::vector<uint32_t>> latencies_by_status_us_;
};

}  // namespace admit::load

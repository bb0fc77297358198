// Chaos: the seeded random source behind every chaos decision (decline, timeout, latency,
// webhook duplicate/delay/reorder). One generator seeded from the config's `seed`, so a run with
// the same seed and the same request order makes the same decisions. Thread-safe (a mutex
// around the generator); concurrent requests interleave, so replay is exact only for a
// sequential client.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>

#include "sim_config.hpp"

namespace admit::paysim {

class Chaos {
  public:
    explicit Chaos(uint64_t seed);
    bool chance(double probability);          // true with the given probability; 0 and 1 are exact
    int64_t uniform(int64_t lo, int64_t hi);  // inclusive
    // fixed_ms + a lognormal sample with the configured median and p99 (0 when median is 0).
    std::chrono::milliseconds latency(const LatencyConfig& config);

  private:
    std::mutex mutex_;
    std::mt19937_64 engine_;
};

}  // namespace admit::paysim

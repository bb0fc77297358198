#include "chaos.hpp"

#include <cmath>

namespace admit::paysim {

Chaos::Chaos(uint64_t seed) : engine_(seed) {}

bool Chaos::chance(double probability) {
    if (probability <= 0) return false;
    if (probability >= 1) return true;
    std::lock_guard lock(mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine_) < probability;
}

int64_t Chaos::uniform(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    std::lock_guard lock(mutex_);
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine_);
}

std::chrono::milliseconds Chaos::latency(const LatencyConfig& config) {
    double ms = config.fixed_ms;
    if (config.median_ms > 0) {
        // ln X ~ N(mu, sigma): median = e^mu, p99 = e^(mu + 2.326 sigma).
        double mu = std::log(config.median_ms);
        double sigma = config.p99_ms > config.median_ms
                           ? (std::log(config.p99_ms) - mu) / 2.3263478740408408
                           : 0.0;
        double z;
        {
            std::lock_guard lock(mutex_);
            z = std::normal_distribution<double>(0.0, 1.0)(engine_);
        }
        ms += std::exp(mu + sigma * z);
    }
    return std::chrono::milliseconds(static_cast<int64_t>(std::llround(ms)));
}

}  // namespace admit::paysim

#include "poll_interval.hpp"

#include <algorithm>
#include <cmath>

namespace admit::queue {

namespace {
constexpr int64_t min_ms = 1000;
constexpr int64_t max_ms = 30000;
constexpr int64_t front = 50;         // positions that poll every 1-2 s
constexpr int64_t per_position = 20;  // extra milliseconds per position behind the front
}  // namespace

int64_t poll_after_ms(int64_t position, double jitter) {
    jitter = std::clamp(jitter, 0.0, 1.0);
    if (position <= front) {
        // 1..2 s: the base second plus up to one second of jitter.
        return min_ms + static_cast<int64_t>(jitter * 1000.0);
    }
    const int64_t base = std::min(max_ms, min_ms + (position - front) * per_position + 1000);
    // Jitter downwards by up to 20%, so the cap is never exceeded and the order of magnitude
    // stays that of the position.
    const auto jittered = static_cast<int64_t>(static_cast<double>(base) * (1.0 - 0.2 * jitter));
    return std::clamp(jittered, min_ms, max_ms);
}

int64_t eta_seconds(int64_t position, double per_second) {
    if (position <= 0) return 0;
    if (!(per_second > 0.0)) return -1;
    return static_cast<int64_t>(std::ceil(static_cast<double>(position) / per_second));
}

}  // namespace admit::queue

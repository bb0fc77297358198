#include "host/admin/readiness_probe.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace admit::runtime {

bool ReadinessProbe::fresh_enough(std::chrono::steady_clock::time_point now) const {
    if (!checked_) return false;
    const bool all_ok =
        std::all_of(latest_.begin(), latest_.end(), [](const ReadinessCheck& c) { return c.ok; });
    return now - checked_at_ < (all_ok ? interval_ : not_ready_interval_);
}

std::vector<ReadinessCheck> ReadinessProbe::current() {
    {
        std::lock_guard lock(mutex_);
        if (fresh_enough(std::chrono::steady_clock::now())) return latest_;
    }
    std::unique_lock refreshing(refresh_mutex_, std::try_to_lock);
    if (!refreshing.owns_lock()) {
        std::lock_guard lock(mutex_);
        if (checked_) return latest_;  // someone is refreshing: the previous answer will do
    }
    if (!refreshing.owns_lock()) refreshing.lock();  // the very first answer: wait for it
    {
        std::lock_guard lock(mutex_);
        if (fresh_enough(std::chrono::steady_clock::now())) return latest_;
    }
    auto fresh = checks_ ? checks_() : std::vector<ReadinessCheck>{};
    std::lock_guard lock(mutex_);
    for (const auto& check : fresh) {
        bool was_ok = true;
        for (const auto& before : latest_) {
            if (before.name == check.name) was_ok = before.ok;
        }
        if (!check.ok && (was_ok || !checked_))
            spdlog::warn("readiness: {} is not ready: {}", check.name, check.detail);
        else if (check.ok && !was_ok)
            spdlog::info("readiness: {} is ready again", check.name);
    }
    latest_ = std::move(fresh);
    checked_at_ = std::chrono::steady_clock::now();
    checked_ = true;
    return latest_;
}

}  // namespace admit::runtime

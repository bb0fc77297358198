#include "host/admin/readiness_probe.hpp"

#include <spdlog/spdlog.h>

namespace admit::runtime {

std::vector<ReadinessCheck> ReadinessProbe::current() {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        if (checked_ && now - checked_at_ < interval_) return latest_;
    }
    std::unique_lock refreshing(refresh_mutex_, std::try_to_lock);
    if (!refreshing.owns_lock()) {
        std::lock_guard lock(mutex_);
        if (checked_) return latest_;  // someone is refreshing: the previous answer will do
    }
    if (!refreshing.owns_lock()) refreshing.lock();  // the very first answer: wait for it
    {
        std::lock_guard lock(mutex_);
        if (checked_ && std::chrono::steady_clock::now() - checked_at_ < interval_) return latest_;
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

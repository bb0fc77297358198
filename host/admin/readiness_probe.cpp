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

ReadinessProbe::~ReadinessProbe() { stop_refreshing(); }

void ReadinessProbe::start_refreshing() {
    {
        std::lock_guard lock(mutex_);
        if (background_) return;
    }
    {
        std::lock_guard refreshing(refresh_mutex_);
        refresh();  // the first answer exists before anyone is told to ask
    }
    std::lock_guard lock(mutex_);
    background_ = true;
    stopping_ = false;
    refresher_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            const bool all_ok = std::all_of(latest_.begin(), latest_.end(),
                                            [](const ReadinessCheck& c) { return c.ok; });
            wake_.wait_for(lock, all_ok ? interval_ : not_ready_interval_,
                           [this] { return stopping_; });
            if (stopping_) break;
            lock.unlock();
            {
                std::lock_guard refreshing(refresh_mutex_);
                refresh();
            }
            lock.lock();
        }
    });
}

void ReadinessProbe::stop_refreshing() {
    std::thread refresher;
    {
        std::lock_guard lock(mutex_);
        if (!background_) return;
        stopping_ = true;
        background_ = false;
        refresher = std::move(refresher_);
    }
    wake_.notify_all();
    if (refresher.joinable()) refresher.join();
}

std::vector<ReadinessCheck> ReadinessProbe::current() {
    {
        std::lock_guard lock(mutex_);
        if (background_) {
            if (checked_) return latest_;
            return {{"starting", false, "the first readiness check has not finished"}};
        }
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
    refresh();
    std::lock_guard lock(mutex_);
    return latest_;
}

void ReadinessProbe::refresh() {
    auto fresh = checks_ ? checks_() : std::vector<ReadinessCheck>{};
    std::lock_guard lock(mutex_);
    for (const auto& check : fresh) {
        bool was_ok = true;
        const std::string* was_detail = nullptr;
        for (const auto& before : latest_) {
            if (before.name == check.name) {
                was_ok = before.ok;
                was_detail = &before.detail;
            }
        }
        if (!check.ok && (was_ok || !checked_))
            spdlog::warn("readiness: {} is not ready: {}", check.name, check.detail);
        else if (!check.ok && was_detail != nullptr && *was_detail != check.detail)
            spdlog::warn("readiness: {} is still not ready: {}", check.name, check.detail);
        else if (check.ok && !was_ok)
            spdlog::info("readiness: {} is ready again", check.name);
    }
    latest_ = std::move(fresh);
    checked_at_ = std::chrono::steady_clock::now();
    checked_ = true;
}

}  // namespace admit::runtime

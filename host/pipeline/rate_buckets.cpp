#include "host/pipeline/rate_buckets.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace admit::runtime {

RateBuckets::Shard& RateBuckets::shard_of(const std::string& key) {
    return shards_[std::hash<std::string>{}(key) % kShards];
}

RateBuckets::Verdict RateBuckets::take(const std::string& key, double now_ms, std::int64_t limit,
                                       std::int64_t window_ms) {
    const double window = static_cast<double>(window_ms);
    const double interval = window / static_cast<double>(limit);
    Shard& shard = shard_of(key);
    std::lock_guard lock(shard.mutex);
    if (shard.tat_ms.size() >= kShardCapacity && now_ms - shard.last_sweep_ms > 1000) {
        std::erase_if(shard.tat_ms, [&](const auto& entry) { return entry.second <= now_ms; });
        shard.last_sweep_ms = now_ms;
    }
    auto found = shard.tat_ms.find(key);
    const double tat = found == shard.tat_ms.end() ? now_ms : std::max(found->second, now_ms);
    const double new_tat = tat + interval;
    const double allow_at = new_tat - window;
    if (allow_at > now_ms) {
        return {false, static_cast<std::int64_t>(std::ceil(allow_at - now_ms))};
    }
    shard.tat_ms[key] = new_tat;
    return {true, 0};
}

void RateBuckets::learn(const std::string& key, double tat_ms) {
    Shard& shard = shard_of(key);
    std::lock_guard lock(shard.mutex);
    auto [entry, fresh] = shard.tat_ms.try_emplace(key, tat_ms);
    if (!fresh) entry->second = std::max(entry->second, tat_ms);
}

std::size_t RateBuckets::size() const {
    std::size_t total = 0;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        total += shard.tat_ms.size();
    }
    return total;
}

}  // namespace admit::runtime

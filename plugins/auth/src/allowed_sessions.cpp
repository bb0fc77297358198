#include "allowed_sessions.hpp"

#include <functional>

namespace admit::auth {

AllowedSessions::AllowedSessions(std::chrono::milliseconds window, std::size_t capacity)
    : window_(window), per_shard_(window.count() > 0 ? (capacity + kShards - 1) / kShards : 0) {}

AllowedSessions::Shard& AllowedSessions::shard_of(const std::string& session) {
    return shards_[std::hash<std::string>{}(session) % kShards];
}

bool AllowedSessions::allowed(const std::string& session, const std::string& user, int64_t version,
                              Clock::time_point now) {
    if (per_shard_ == 0) return false;
    if (now.time_since_epoch().count() >= trusted_until_.load(std::memory_order_acquire))
        return false;
    Shard& shard = shard_of(session);
    std::lock_guard lock(shard.mutex);
    const auto found = shard.entries.find(session);
    if (found == shard.entries.end()) return false;
    const Entry& entry = found->second;
    return entry.user == user && entry.version == version && now >= entry.checked &&
           now - entry.checked < window_;
}

void AllowedSessions::remember(const std::string& session, const std::string& user, int64_t version,
                               Clock::time_point now, uint64_t epoch_before) {
    if (per_shard_ == 0) return;
    Shard& shard = shard_of(session);
    std::lock_guard lock(shard.mutex);
    // Under the shard lock: a forget that bumped the epoch before this line also cleared (or
    // will clear, waiting for this lock) the entry; one after it erases what is stored here.
    if (epoch_.load(std::memory_order_acquire) != epoch_before) return;
    if (shard.entries.size() >= per_shard_ && !shard.entries.count(session)) shard.entries.clear();
    shard.entries.insert_or_assign(session, Entry{user, version, now});
}

void AllowedSessions::forget_session(const std::string& session) {
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    Shard& shard = shard_of(session);
    std::lock_guard lock(shard.mutex);
    shard.entries.erase(session);
}

void AllowedSessions::forget_all() {
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    for (auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        shard.entries.clear();
    }
}

void AllowedSessions::trust_until(Clock::time_point moment) noexcept {
    trusted_until_.store(moment.time_since_epoch().count(), std::memory_order_release);
}

std::size_t AllowedSessions::size() const {
    std::size_t total = 0;
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        total += shard.entries.size();
    }
    return total;
}

}  // namespace admit::auth

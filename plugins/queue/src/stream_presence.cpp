#include "stream_presence.hpp"

#include <utility>
#include <vector>

namespace admit::queue {

void StreamPresence::opened(const std::string& schedule_id, const std::string& user) {
    std::lock_guard lock(streams_mutex_);
    ++streams_[schedule_id][user];
    ++total_;
}

void StreamPresence::closed(const std::string& schedule_id, const std::string& user) {
    std::lock_guard lock(streams_mutex_);
    auto schedule = streams_.find(schedule_id);
    if (schedule == streams_.end()) return;
    auto entry = schedule->second.find(user);
    if (entry == schedule->second.end()) return;
    --total_;
    if (--entry->second > 0) return;
    schedule->second.erase(entry);
    if (schedule->second.empty()) streams_.erase(schedule);
}

std::size_t StreamPresence::open_streams() const {
    std::lock_guard lock(streams_mutex_);
    return total_;
}

sdk::Result<std::size_t> StreamPresence::refresh_once() {
    // Copy the users out under the lock (a short one: on_close waits on it), then talk to Redis.
    std::vector<std::pair<std::string, std::vector<std::string>>> present;
    {
        std::lock_guard lock(streams_mutex_);
        present.reserve(streams_.size());
        for (const auto& [schedule, users] : streams_) {
            std::vector<std::string> names;
            names.reserve(users.size());
            for (const auto& [user, count] : users) names.push_back(user);
            present.emplace_back(schedule, std::move(names));
        }
    }
    std::size_t refreshed = 0;
    const int64_t now = ctx_.now_ms();
    for (const auto& [schedule, users] : present) {
        auto touched = ctx_.redis->touch(schedule, users, now);
        if (!touched) return std::move(touched).error();
        refreshed += static_cast<std::size_t>(*touched);
    }
    return refreshed;
}

}  // namespace admit::queue

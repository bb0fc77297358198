#include "bounded_gate.hpp"

#include <algorithm>

namespace admit::auth {

BoundedGate::BoundedGate(GateLimits limits)
    : limits_{std::max(limits.capacity, 1), std::max(limits.max_waiting, 0),
              std::max(limits.per_client, 1), limits.max_wait} {}

sdk::Result<BoundedGate::Ticket> BoundedGate::enter(std::string_view client) {
    std::unique_lock lock(mutex_);
    auto held = held_.find(client);
    if (held != held_.end() && held->second >= limits_.per_client)
        return sdk::Error::rejected("too many password checks from this client at once");
    if (inside_ < limits_.capacity && queue_.empty()) {
        ++inside_;
        ++held_[std::string(client)];
        return Ticket(this, std::string(client));
    }
    if (static_cast<int>(queue_.size()) >= limits_.max_waiting)
        return sdk::Error::unavailable("password hashing is saturated");
    std::string name(client);
    ++held_[name];
    const uint64_t arrival = next_arrival_++;
    queue_.push_back(arrival);
    const bool admitted = changed_.wait_for(lock, limits_.max_wait, [&] {
        return queue_.front() == arrival && inside_ < limits_.capacity;
    });
    if (!admitted) {
        queue_.erase(std::find(queue_.begin(), queue_.end(), arrival));
        release_place(name);
        lock.unlock();
        changed_.notify_all();  // the caller behind this one may be first now
        return sdk::Error::unavailable("password hashing is saturated");
    }
    queue_.pop_front();
    ++inside_;
    lock.unlock();
    changed_.notify_all();  // the next in line may fit too (capacity > 1)
    return Ticket(this, std::move(name));
}

void BoundedGate::release_place(const std::string& client) {
    if (auto held = held_.find(client); held != held_.end() && --held->second <= 0)
        held_.erase(held);
}

void BoundedGate::leave(const std::string& client) noexcept {
    {
        std::lock_guard lock(mutex_);
        --inside_;
        release_place(client);
    }
    changed_.notify_all();
}

int BoundedGate::inside() const {
    std::lock_guard lock(mutex_);
    return inside_;
}

int BoundedGate::waiting() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(queue_.size());
}

int BoundedGate::held_by(std::string_view client) const {
    std::lock_guard lock(mutex_);
    const auto held = held_.find(client);
    return held == held_.end() ? 0 : held->second;
}

}  // namespace admit::auth

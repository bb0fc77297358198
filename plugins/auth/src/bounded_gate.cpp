#include "bounded_gate.hpp"

#include <algorithm>

namespace admit::auth {

BoundedGate::BoundedGate(int capacity, int max_waiting, std::chrono::milliseconds max_wait)
    : capacity_(std::max(capacity, 1)),
      max_waiting_(std::max(max_waiting, 0)),
      max_wait_(max_wait) {}

sdk::Result<BoundedGate::Ticket> BoundedGate::enter() {
    std::unique_lock lock(mutex_);
    if (inside_ < capacity_) {
        ++inside_;
        return Ticket(this);
    }
    if (waiting_ >= max_waiting_) return sdk::Error::unavailable("password hashing is saturated");
    ++waiting_;
    const bool admitted = freed_.wait_for(lock, max_wait_, [this] { return inside_ < capacity_; });
    --waiting_;
    if (!admitted) return sdk::Error::unavailable("password hashing is saturated");
    ++inside_;
    return Ticket(this);
}

void BoundedGate::leave() noexcept {
    {
        std::lock_guard lock(mutex_);
        --inside_;
    }
    freed_.notify_one();
}

int BoundedGate::inside() const {
    std::lock_guard lock(mutex_);
    return inside_;
}

int BoundedGate::waiting() const {
    std::lock_guard lock(mutex_);
    return waiting_;
}

}  // namespace admit::auth

#include "host/outbound/connection_pool.hpp"

namespace admit::outbound {

std::unique_ptr<HttpConnection> ConnectionPool::take() {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<HttpConnection>> stale;  // closed outside the lock
    std::unique_ptr<HttpConnection> found;
    {
        std::lock_guard lock(mutex_);
        while (!idle_.empty()) {
            auto candidate = std::move(idle_.back());
            idle_.pop_back();
            if (now - candidate->idle_since() <= keepalive_ && candidate->still_open()) {
                found = std::move(candidate);
                break;
            }
            stale.push_back(std::move(candidate));
        }
    }
    return found;
}

void ConnectionPool::give_back(std::unique_ptr<HttpConnection> connection) {
    if (!connection || !connection->reusable()) return;
    connection->mark_idle();
    std::lock_guard lock(mutex_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(connection));
}

std::size_t ConnectionPool::idle() const {
    std::lock_guard lock(mutex_);
    return idle_.size();
}

}  // namespace admit::outbound

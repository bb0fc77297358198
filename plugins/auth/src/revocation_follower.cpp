#include "revocation_follower.hpp"

namespace admit::auth {

void RevocationFollower::start() {
    if (thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = false;
    }
    thread_ = std::thread([this] { run(); });
}

void RevocationFollower::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void RevocationFollower::run() {
    bool failing = false;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        const sdk::Status followed = revocation_.follow_log(3 * interval_);
        if (!followed && !failing) {
            warn_("auth: cannot read the revocation log (" + followed.message() +
                  "); every request asks Redis or PostgreSQL until it can");
        }
        failing = !followed;
        lock.lock();
        wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
}

}  // namespace admit::auth

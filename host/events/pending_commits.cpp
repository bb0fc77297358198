#include "host/events/pending_commits.hpp"

#include <algorithm>
#include <unordered_set>

namespace admit::events {

void PendingCommits::add(std::string xid) {
    std::lock_guard lock(mutex_);
    if (!waker_) return;  // no relay running: its first pass after start covers these rows
    // One transaction may publish several events: record it once.
    if (xids_.empty() || xids_.back() != xid) xids_.push_back(std::move(xid));
    if (waker_) waker_();  // under the lock, so set_waker({}) waits for calls in progress
}

std::vector<std::string> PendingCommits::snapshot(std::size_t limit) const {
    std::lock_guard lock(mutex_);
    const auto n = std::min(limit, xids_.size());
    return {xids_.begin(), xids_.begin() + static_cast<std::ptrdiff_t>(n)};
}

void PendingCommits::forget_finished(const std::vector<std::string>& checked,
                                     const std::vector<std::string>& still_running) {
    std::unordered_set<std::string> finished(checked.begin(), checked.end());
    for (const auto& xid : still_running) finished.erase(xid);
    std::lock_guard lock(mutex_);
    std::erase_if(xids_, [&](const std::string& xid) { return finished.count(xid) > 0; });
}

bool PendingCommits::empty() const {
    std::lock_guard lock(mutex_);
    return xids_.empty();
}

void PendingCommits::set_waker(std::function<void()> waker) {
    std::lock_guard lock(mutex_);
    waker_ = std::move(waker);
}

}  // namespace admit::events

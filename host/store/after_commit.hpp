// AfterCommit: work that must run only once a transaction has committed (cache updates, SSE
// messages). Avoids the trap of announcing a change before it is durable: a rolled-back or
// dead-lettered transaction must leave no trace outside the database.
//
// Contract: every added callback is called exactly once, with committed = true after the
// transaction committed, or false when it rolled back or was abandoned (so the owner can free what
// it holds). reset() answers false to everything pending (a body that is run again starts afresh).
// A callback's exception is logged and swallowed. Not thread-safe: one transaction, one thread.
#pragma once

#include <functional>
#include <vector>

namespace admit::store {

class AfterCommit {
  public:
    using Callback = std::function<void(bool committed)>;

    AfterCommit() = default;
    AfterCommit(const AfterCommit&) = delete;
    AfterCommit& operator=(const AfterCommit&) = delete;
    // Pending callbacks hear "not committed".
    ~AfterCommit();

    void add(Callback callback);
    bool empty() const noexcept { return callbacks_.empty(); }

    // Calls every pending callback with `committed`, in registration order, then forgets them.
    void run(bool committed) noexcept;
    // Same as run(false).
    void reset() noexcept { run(false); }

  private:
    std::vector<Callback> callbacks_;
};

}  // namespace admit::store

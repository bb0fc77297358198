// PendingCommits: transactions of this process that published events and may not have committed
// yet, so the relay can poll quickly exactly while a publish is on its way, instead of relying on
// NOTIFY (pg_notify in the publishing transaction serializes every commit on a global lock: one
// measurement here, 8 clients, fell from 2370 to 293 tps).
//
// publish() adds the transaction id (pg_current_xact_id()); the relay asks PostgreSQL which of
// them are still running (not pg_visible_in_snapshot of a fresh snapshot: unlike pg_xact_status
// this has no window where the commit is in the clog but not yet visible) about every
// millisecond, and runs a pass as soon as one has finished. Committed rows from other processes are
// found by LISTEN (if they NOTIFY) or by the relay_poll safety net.
//
// Thread-safety: all members are thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace admit::events {

class PendingCommits {
  public:
    // Records a publishing transaction (decimal xid8) and calls the waker. Ignored while no
    // waker is set (no relay running; a relay's first pass takes every unrelayed row anyway).
    void add(std::string xid);
    // Up to `limit` recorded transactions, oldest first.
    std::vector<std::string> snapshot(std::size_t limit) const;
    // Forgets those of `checked` that are not in `still_running`.
    void forget_finished(const std::vector<std::string>& checked,
                         const std::vector<std::string>& still_running);
    bool empty() const;
    // The function add() calls, under this object's lock (the relay's wake-up: must be quick and
    // must not call back into this object); empty to unset, which waits for calls in progress.
    void set_waker(std::function<void()> waker);

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> xids_;
    std::function<void()> waker_;
};

}  // namespace admit::events

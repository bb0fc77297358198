// BeforeCommit: work that runs inside a transaction once its body (or every handler of a delivery
// batch) succeeded, just before COMMIT. Avoids the trap of a participant that gathers rows over
// several calls sharing one transaction (group commit) having no last call to write them in: the
// transaction's runner, not the participant, knows when the last call returned.
//
// Contract: run() calls the work in registration order, including work added while it runs, and
// stops at the first error, which it returns (the runner then rolls the transaction back). Work
// is never run twice: run() and reset() forget everything pending. Work that is pending when the
// transaction rolls back earlier is dropped unrun (its owner learns the end from AfterCommit). An
// exception thrown by work is an error of that work. Not thread-safe: one transaction, one thread.
#pragma once

#include <functional>
#include <vector>

#include "host/common/result.hpp"

namespace admit::store {

class BeforeCommit {
  public:
    using Work = std::function<Status()>;

    BeforeCommit() = default;
    BeforeCommit(const BeforeCommit&) = delete;
    BeforeCommit& operator=(const BeforeCommit&) = delete;

    void add(Work work);
    bool empty() const noexcept { return work_.empty(); }

    // Runs the pending work (see the contract above); OK when there is none.
    Status run();
    // Forgets the pending work without running it (a body that is run again starts afresh).
    void reset() noexcept { work_.clear(); }

  private:
    std::vector<Work> work_;
};

}  // namespace admit::store

// CommitHooks: what the participants of one transaction hang on its end. `before_commit` runs
// inside the transaction once every participant succeeded (its runner calls run() last, and an
// error rolls everything back); `after_commit` runs once the transaction ended, told whether it
// committed. The runner owns both and the order: body or handlers, before_commit, COMMIT,
// after_commit. Not thread-safe: one transaction, one thread.
#pragma once

#include "host/store/after_commit.hpp"
#include "host/store/before_commit.hpp"

namespace admit::store {

struct CommitHooks {
    BeforeCommit before_commit;
    AfterCommit after_commit;

    // A body that is run again starts afresh: pending before-commit work is dropped, pending
    // after-commit work hears "not committed".
    void reset() noexcept {
        before_commit.reset();
        after_commit.reset();
    }
};

}  // namespace admit::store

// The time partitions of log.entries: creating the one a write needs, and retention, which drops
// whole partitions and records each one's last link as an anchor (log.anchors).
//
// Thread-safety: every function may be called from several host threads at once; the only shared
// state (the range of the partition last seen) is guarded by a mutex. Callers that create or drop
// partitions hold the chain lock (chain_lock) in their transaction.
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <mutex>
#include <string>

namespace admit::log {

/// Takes the transaction-scoped advisory lock that orders every append to the chain and every
/// partition change (released at commit or rollback).
sdk::Status chain_lock(sdk::Tx& tx);

class Partitions {
  public:
    /// width_us: length of one partition (> 0); retention_us: entries older than this are
    /// dropped with their partition (0 keeps everything).
    Partitions(int64_t width_us, int64_t retention_us) noexcept
        : width_us_(width_us), retention_us_(retention_us) {}

    /// Whether the partition holding `recorded_us` is known to exist (ensure() then does nothing).
    bool known(int64_t recorded_us);

    /// Makes sure the partition holding `recorded_us` exists (creates it when missing). Call with
    /// the chain lock held.
    sdk::Status ensure(sdk::Tx& tx, int64_t recorded_us);

    /// Drops every partition that ended more than retention ago, each in its own transaction,
    /// recording its anchor first; returns how many were dropped. Also creates the partition
    /// after the current one ahead of time.
    sdk::Result<int64_t> maintain(sdk::Database& db, int64_t now_us);

    /// The name of the partition holding `recorded_us` ("entries_20261206t000000"): only digits
    /// and fixed letters, so it may appear in DDL text.
    std::string name_for(int64_t recorded_us) const;

  private:
    int64_t start_of(int64_t recorded_us) const noexcept;
    /// Creates the partition starting at `from` unless log.partitions lists it (chain lock held).
    sdk::Status create(sdk::Tx& tx, int64_t from);
    sdk::Status drop(sdk::Database& db, const std::string& name, int64_t from_us, int64_t to_us,
                     int64_t now_us);

    int64_t width_us_;
    int64_t retention_us_;
    std::mutex mutex_;
    int64_t known_from_ = 0;  ///< [known_from_, known_to_) is known to exist
    int64_t known_to_ = 0;
};

}  // namespace admit::log

// Appends audit entries to the hash chain, inside the event subscriber's transaction.
//
// Thread-safety: append() may run on several host threads at once; the chain lock (a
// transaction-scoped advisory lock) makes appends take turns, so each entry links to the one
// committed just before it, also across several admitd instances sharing the database.
#pragma once

#include "audit_entry.hpp"
#include "partitions.hpp"

#include <admit/sdk.hpp>

#include <atomic>
#include <functional>

namespace admit::log {

class AuditWriter {
  public:
    /// `clock` gives the recording time (the host clock, Unix microseconds).
    AuditWriter(Partitions& partitions, std::function<int64_t()> clock)
        : partitions_(partitions), clock_(std::move(clock)) {}

    /// Whether admit_log_writer exists and this database user may assume it (checked at start):
    /// entries are then inserted under that role, which has only INSERT and SELECT.
    void use_writer_role(bool use) noexcept { writer_role_.store(use); }
    bool writer_role() const noexcept { return writer_role_.load(); }

    /// Records `event` once: an event id already recorded writes nothing (a redelivery). Returns
    /// an Error only when the database failed (the host then retries the delivery).
    sdk::Status append(sdk::Tx& tx, const sdk::Event& event);

  private:
    /// seq and hash of the newest anchor, else genesis (for an empty entries table).
    sdk::Status load_anchor(sdk::Tx& tx, int64_t& seq, std::string& hash);

    Partitions& partitions_;
    std::function<int64_t()> clock_;
    std::atomic<bool> writer_role_{false};
};

}  // namespace admit::log

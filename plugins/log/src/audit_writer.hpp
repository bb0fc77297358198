// Appends audit entries to the hash chain, inside the event subscriber's transaction.
//
// Group commit: the host delivers a subscriber's ready events in batches, several in one
// transaction (events' delivery_batch), and acknowledges each (its handled record) only when that
// transaction commits. append() only describes the event and keeps the entry with the open
// transaction; once the last handler of the transaction returned, the host runs this writer's
// before-commit work (ABI 1.4, tx_before_commit), which writes the whole batch: it takes the
// chain lock, reads the chain's head, skips events recorded before, and inserts every entry and
// its idempotency record in one statement. The chain lock is held for those few statements and
// the commit, not for the whole batch: appends of concurrent transactions, on this instance or
// another sharing the database, take turns at the end only. A rolled-back transaction leaves
// nothing: the host delivers its events again, and what this writer gathered for it is forgotten
// when it ends (sdk::TransactionState).
//
// Thread-safety: append() may run on several host threads at once. What a transaction gathered
// lives on the thread running it (the host runs one transaction's handlers, its before-commit
// work and its end on one thread); the chain lock (a transaction-scoped advisory lock, held until
// commit) makes the writes take turns, so each entry links to the one committed just before it.
#pragma once

#include "audit_entry.hpp"
#include "partitions.hpp"

#include <admit/sdk.hpp>
#include <admit/sdk/transaction_state.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace admit::log {

class AuditWriter {
  public:
    /// `clock` gives the recording time (the host clock, Unix microseconds); `host` is the
    /// plugin's host (for the end-of-transaction registration).
    AuditWriter(sdk::HostHandle host, Partitions& partitions, std::function<int64_t()> clock)
        : pending_(host,
                   [this](sdk::Tx& tx, std::vector<AuditEntry>& pending) {
                       return write_pending(tx, pending);
                   }),
          partitions_(partitions),
          clock_(std::move(clock)) {}

    /// Whether admit_log_writer exists and this database user may assume it (checked at start):
    /// entries are then inserted under that role, which has only INSERT and SELECT.
    void use_writer_role(bool use) noexcept { writer_role_.store(use); }
    bool writer_role() const noexcept { return writer_role_.load(); }

    /// Records `event` once, when `tx` commits: an event id already recorded writes nothing (a
    /// redelivery) and leaves the chain as it was. Returns an Error only when the work could not
    /// be registered with the transaction; a database failure of the write fails the
    /// transaction's end (the host then rolls it back and delivers its events again).
    ///
    /// Leaves admit_log_writer in force in `tx` until the transaction ends (SET LOCAL ROLE): the
    /// write is the transaction's last work, and the host runs no statement of its own after it
    /// but COMMIT; one it ran anyway would be refused (the role has no rights outside schema
    /// log), never granted more.
    sdk::Status append(sdk::Tx& tx, const sdk::Event& event);

  private:
    /// The transaction's before-commit work: writes what it gathered (see the file comment).
    sdk::Status write_pending(sdk::Tx& tx, std::vector<AuditEntry>& gathered);
    /// The chain's last seq and hash, read under the chain lock (else the newest anchor's, else
    /// genesis).
    sdk::Status read_head(sdk::Tx& tx, int64_t& seq, std::string& hash);
    /// seq and hash of the newest anchor, else genesis (for an empty entries table).
    sdk::Status load_anchor(sdk::Tx& tx, int64_t& seq, std::string& hash);
    /// Of `entries`, those whose event id was not recorded before (nor earlier in `entries`).
    sdk::Result<std::vector<AuditEntry>> unrecorded(sdk::Tx& tx, std::vector<AuditEntry> entries);

    /// Entries described, not yet written, in delivery order, per open transaction.
    sdk::TransactionState<std::vector<AuditEntry>> pending_;
    Partitions& partitions_;
    std::function<int64_t()> clock_;
    std::atomic<bool> writer_role_{false};
};

}  // namespace admit::log

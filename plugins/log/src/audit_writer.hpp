// Appends audit entries to the hash chain, inside the event subscriber's transaction.
//
// Group commit: the host delivers a subscriber's ready events in batches, several in one
// transaction (events' delivery_batch), and acknowledges each (its handled record) only when that
// transaction commits. The first append of a transaction takes the chain lock, reads the chain's
// head and assumes the writer role; every further append of the same transaction links to the
// entry written just before it and costs one statement. A rolled-back transaction leaves nothing:
// the host delivers its events again, and what this writer knew about it is forgotten when it
// ends (the ABI's tx_on_commit, which reports rollbacks too).
//
// Thread-safety: append() may run on several host threads at once; the chain lock (a
// transaction-scoped advisory lock, held until commit) makes transactions append in turns, so
// each entry links to the one committed or written just before it, also across several admitd
// instances sharing the database. What a transaction knows about the chain lives on the thread
// running it (the host runs one transaction's handlers and its on_end work on one thread).
#pragma once

#include "audit_entry.hpp"
#include "partitions.hpp"

#include <admit/sdk.hpp>

#include <atomic>
#include <functional>
#include <string>

namespace admit::log {

class AuditWriter {
  public:
    /// `clock` gives the recording time (the host clock, Unix microseconds); `host` is the
    /// plugin's host (for the end-of-transaction registration).
    AuditWriter(sdk::HostHandle host, Partitions& partitions, std::function<int64_t()> clock)
        : host_(host), partitions_(partitions), clock_(std::move(clock)) {}

    /// Whether admit_log_writer exists and this database user may assume it (checked at start):
    /// entries are then inserted under that role, which has only INSERT and SELECT.
    void use_writer_role(bool use) noexcept { writer_role_.store(use); }
    bool writer_role() const noexcept { return writer_role_.load(); }

    /// Records `event` once: an event id already recorded writes nothing (a redelivery) and
    /// leaves the chain as it was. Returns an Error only when the database failed (the host then
    /// rolls the transaction back and delivers its events again).
    ///
    /// Leaves admit_log_writer in force in `tx` until the transaction ends (SET LOCAL ROLE), so
    /// that a batch of appends switches roles once: the host records a delivery as handled before
    /// it runs the handlers and runs no statement of its own after them; one it ran anyway would
    /// be refused (the role has no rights outside schema log), never granted more.
    sdk::Status append(sdk::Tx& tx, const sdk::Event& event);

  private:
    /// The chain as the open transaction on this thread has it: its last entry (written by this
    /// transaction, or the committed head read under the lock) and whether the role is assumed.
    struct OpenTransaction {
        const AuditWriter* writer = nullptr;  ///< nullptr: this writer has no transaction open here
        int64_t seq = 0;
        std::string hash;
        bool as_writer = false;
    };
    /// This thread's open transaction (thread_local).
    static OpenTransaction& this_thread();

    /// The first append of a transaction: the chain lock, the head, forgetting it all at the end.
    sdk::Status open_chain(sdk::Tx& tx, OpenTransaction& open);
    /// Called by the host exactly once when the transaction ended, committed or rolled back, on
    /// its thread: forgets this thread's open transaction.
    static void transaction_ended(void* ctx, int32_t committed) noexcept;
    /// Assumes admit_log_writer (`as_writer`) or returns to the host's user, when not already so.
    sdk::Status switch_role(sdk::Tx& tx, OpenTransaction& open, bool as_writer);
    /// seq and hash of the newest anchor, else genesis (for an empty entries table).
    sdk::Status load_anchor(sdk::Tx& tx, int64_t& seq, std::string& hash);

    sdk::HostHandle host_;
    Partitions& partitions_;
    std::function<int64_t()> clock_;
    std::atomic<bool> writer_role_{false};
};

}  // namespace admit::log

// AdmissionBatcher: admits the check-ins of many gates in one transaction, so one WAL flush
// serves a whole batch instead of each check-in paying its own commit. Only for the default
// rule (one entry per ticket, reentry NONE); re-entry rules take CheckinService's single path.
//
// Scans are spread over the writer threads by ticket id, so every scan of one ticket goes to
// the same writer: two batches in flight never race for one ticket (no row-lock waits between
// writers). Each writer takes every admission queued for it so far (up to max_batch) and runs
// ONE statement plus the commit: a conditional UPDATE for the whole batch (per ticket, the
// first request that may admit it: current issue, ISSUED, staff allowed; of two scans of one
// ticket in a batch PostgreSQL admits one), the entries of the admitted (ticket.entries), and
// for every other request the ticket as it stood, so each caller learns why it was not
// admitted (ALREADY_USED, cancelled, reissued, not assigned). Then the ticket.checked_in events
// (the host writes them in one statement) and the commit. A request whose ticket another path
// changed meanwhile (a nonce scan, an upload, a cancellation) is re-read before the commit.
//
// Thread-safe: admit() from any thread (it blocks until its batch committed or failed);
// start()/stop() from one thread (the plugin's start and stop).
#pragma once

#include "staff_access.hpp"
#include "ticket_store.hpp"

#include <admit/sdk.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace admit::ticket {

struct AdmissionRequest {
    std::string ticket_id;
    int issue = 0;
    int64_t at_us = 0;
    std::string gate;
    std::string staff_id;
    bool limited_to_assignments = true;
    int64_t day = 0;       ///< venue-local day number of at_us (CheckinRule::day_of)
    std::string revision;  ///< the checkin policy revision that decided the rule
};

struct AdmissionOutcome {
    std::optional<TicketRow> admitted;  ///< set: this request changed the ticket to USED
    std::optional<TicketRow> current;  ///< otherwise: the ticket as it is (nullopt: no such ticket)
    bool forbidden = false;            ///< the staff member is not assigned to its schedule
};

class AdmissionBatcher {
  public:
    AdmissionBatcher(sdk::Host& host, std::size_t max_batch, std::size_t writers,
                     StaffScope staff_scope);
    ~AdmissionBatcher() { stop(); }
    AdmissionBatcher(const AdmissionBatcher&) = delete;
    AdmissionBatcher& operator=(const AdmissionBatcher&) = delete;

    void start();
    /// Admits what is queued, then joins the writers. Idempotent.
    void stop();

    /// Queues an admission and waits for its batch. ADMIT_E_UNAVAILABLE when the batcher is not
    /// running; the transaction's error when the batch failed (nothing of it was written).
    sdk::Result<AdmissionOutcome> admit(AdmissionRequest request);

  private:
    struct Pending {
        AdmissionRequest request;
        std::promise<sdk::Result<AdmissionOutcome>> done;
    };
    /// One writer thread and its queue.
    struct Lane {
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<std::unique_ptr<Pending>> queue;
        bool running = false;  ///< under `mutex`: admit() queues only while it is set
        std::thread writer;
    };
    void run_writer(Lane& lane);
    void write_batch(std::vector<std::unique_ptr<Pending>>& batch);

    sdk::Host& host_;
    std::size_t max_batch_;
    StaffScope staff_scope_;
    std::string batch_sql_;
    std::vector<std::unique_ptr<Lane>> lanes_;  ///< fixed at construction
};

}  // namespace admit::ticket

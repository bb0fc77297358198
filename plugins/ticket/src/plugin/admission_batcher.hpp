// AdmissionBatcher: admits the check-ins of many gates in one transaction, so one WAL flush
// serves a whole batch instead of each check-in paying its own commit.
//
// Each writer thread takes every admission queued so far (up to max_batch) and runs ONE
// transaction: one conditional UPDATE for the whole batch (`... FROM <the batch> WHERE t.id =
// x.id AND t.status = 'ISSUED' AND t.issue = x.issue AND <staff assignment>`, one row changed per
// ticket at most: of two scans of one ticket in a batch, PostgreSQL admits one), the
// ticket.checked_in events of the admitted, and the current rows of the others (so each caller
// learns why: ALREADY_USED, cancelled, reissued, not assigned). Under load the batches grow by
// themselves (they fill while the previous one commits).
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
};

struct AdmissionOutcome {
    std::optional<TicketRow> admitted;  ///< set: this request changed the ticket to USED
    std::optional<TicketRow> current;  ///< otherwise: the ticket as it is (nullopt: no such ticket)
    bool forbidden = false;            ///< the staff member is not assigned to its schedule
};

class AdmissionBatcher {
  public:
    AdmissionBatcher(sdk::Host& host, std::size_t max_batch, std::size_t writers,
                     StaffScope staff_scope)
        : host_(host),
          max_batch_(max_batch == 0 ? 1 : max_batch),
          writer_count_(writers == 0 ? 1 : writers),
          staff_scope_(staff_scope) {}
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
    void run_writer();
    void write_batch(std::vector<std::unique_ptr<Pending>>& batch);

    sdk::Host& host_;
    std::size_t max_batch_;
    std::size_t writer_count_;
    StaffScope staff_scope_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::unique_ptr<Pending>> queue_;
    bool running_ = false;
    std::vector<std::thread> writers_;
};

}  // namespace admit::ticket

// Check-in: online scans (POST /api/v1/checkin) and offline scans uploaded later
// (POST /api/v1/checkin/batch).
//
// A code is verified exactly as a gate does (ticket_codes' verify with the schedule's kit), then
// ISSUED -> USED happens in ONE conditional UPDATE (`WHERE id = $1 AND status = 'ISSUED' AND
// issue = $2`): of any number of concurrent scans of one ticket, exactly one changes the row and
// is admitted; the others find it USED (409 ALREADY_USED, when and at which gate). The update,
// the scan record and the ticket.checked_in event commit together. Scans without a nonce go
// through the AdmissionBatcher: the same conditional UPDATE, for many gates' scans in one
// transaction (one commit for the whole batch).
//
// Offline scans carry a nonce (the scan journal's): a nonce seen before is a duplicate and
// changes nothing. A scan a gate admitted that the server cannot honour (the ticket was already
// admitted elsewhere, or the gate's kit was stale) is a conflict: a row in
// ticket.checkin_conflicts and a ticket.checkin_conflict event, for admins.
//
// Thread-safe.
#pragma once

#include "admission_batcher.hpp"
#include "codes/venue_signature_cache.hpp"
#include "gate_kits.hpp"
#include "staff_access.hpp"
#include "ticket_store.hpp"

#include <admit/sdk.hpp>

#include <string>

namespace admit::ticket {

/// An answer ready to send: status and body (error bodies lack only the trace id).
struct CheckinAnswer {
    int status = 200;
    boost::json::object body;
};

struct OnlineScan {
    std::string code;
    std::string gate;         ///< may be empty
    std::string nonce;        ///< may be empty (then no replay protection by nonce)
    std::string schedule_id;  ///< may be empty: the gate's schedule, when it names one
    std::string staff_id;
    bool limited_to_assignments = true;  ///< false for admins
};

class CheckinService {
  public:
    /// `batcher` (not owned, may be null): admits online scans without a nonce in batches.
    /// `staff_scope`: where staff members may work (staff_access.hpp).
    /// `verify_cache_entries`: how many verified venue signatures to remember (at least 16).
    CheckinService(sdk::Host& host, GateKits& kits, AdmissionBatcher* batcher,
                   StaffScope staff_scope, std::size_t verify_cache_entries)
        : host_(host),
          kits_(kits),
          batcher_(batcher),
          staff_scope_(staff_scope),
          signatures_(verify_cache_entries) {}

    sdk::Result<CheckinAnswer> check_in(const OnlineScan& scan);
    /// `scans`: the batch body's array (validated here; a bad entry is 400 naming its index).
    sdk::Result<CheckinAnswer> upload(const boost::json::array& scans, const std::string& staff_id,
                                      bool limited_to_assignments);

    /// Whether staff member `staff_id` may check in tickets of `schedule_id` (and fetch its gate
    /// kit) under the configured StaffScope. Admins are not asked.
    sdk::Result<bool> may_scan(const std::string& staff_id, const std::string& schedule_id);

  private:
    struct Checked;
    sdk::Result<Checked> verify_code(const std::string& code, int64_t at_us);

    sdk::Host& host_;
    GateKits& kits_;
    AdmissionBatcher* batcher_;
    StaffScope staff_scope_;
    /// Venue signatures already verified (the second scan of a double scan, a scanner reading
    /// one code repeatedly, a rotating code's next window); thread-safe.
    VenueSignatureCache signatures_;
};

/// The staff view of a ticket (no codes, no ticket key).
boost::json::object staff_ticket_json(const TicketRow& row);

}  // namespace admit::ticket

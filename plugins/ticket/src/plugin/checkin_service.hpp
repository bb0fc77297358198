// Check-in: online entry scans (POST /api/v1/checkin), exit scans (POST /api/v1/checkin/exit)
// and offline scans uploaded later (POST /api/v1/checkin/batch).
//
// A code is verified exactly as a gate does (ticket_codes' verify with the schedule's kit and a
// cache of venue signatures already verified), the schedule's re-entry rule comes from the
// `checkin` policy (CheckinRules), then the entry is ONE conditional statement
// (entry_statements.hpp): of any number of concurrent scans of one ticket, exactly one is
// admitted for each entry the rule allows; the others find it used (409 ALREADY_USED, when and
// at which gate). The update, the entry record, the scan record and the ticket.checked_in event
// commit together. Entry scans without a nonce under the default rule (NONE) go through the
// AdmissionBatcher: the same conditional UPDATE, for many gates' scans in one transaction.
//
// Offline scans carry a nonce (the scan journal's): a nonce seen before is a duplicate and
// changes nothing. A scan a gate admitted that the server cannot honour (the ticket was already
// admitted elsewhere, or the gate's kit was stale) is a conflict: a row in
// ticket.checkin_conflicts and a ticket.checkin_conflict event, for admins.
//
// Thread-safe.
#pragma once

#include "admission_batcher.hpp"
#include "checkin_answers.hpp"
#include "checkin_rules.hpp"
#include "codes/venue_signature_cache.hpp"
#include "gate_kits.hpp"
#include "staff_access.hpp"
#include "ticket_store.hpp"

#include <admit/sdk.hpp>

#include <string>

namespace admit::ticket {

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
    /// `rules` (not owned): the re-entry rule per schedule and gate. `staff_scope`: where staff
    /// members may work (staff_access.hpp). `verify_cache_entries`: how many verified venue
    /// signatures to remember (at least 16).
    CheckinService(sdk::Host& host, GateKits& kits, CheckinRules& rules, AdmissionBatcher* batcher,
                   StaffScope staff_scope, std::size_t verify_cache_entries)
        : host_(host),
          kits_(kits),
          rules_(rules),
          batcher_(batcher),
          staff_scope_(staff_scope),
          signatures_(verify_cache_entries) {}

    sdk::Result<CheckinAnswer> check_in(const OnlineScan& scan);
    /// An exit scan (the nonce is ignored: a repeated exit answers NOT_INSIDE). 409
    /// INVALID_STATE when the schedule's rule is not AFTER_EXIT (exits change nothing there).
    sdk::Result<CheckinAnswer> check_out(const OnlineScan& scan);
    /// `scans`: the batch body's array (validated here; a bad entry is 400 naming its index).
    sdk::Result<CheckinAnswer> upload(const boost::json::array& scans, const std::string& staff_id,
                                      bool limited_to_assignments);

    /// Whether staff member `staff_id` may check in tickets of `schedule_id` (and fetch its gate
    /// kit) under the configured StaffScope. Admins are not asked.
    sdk::Result<bool> may_scan(const std::string& staff_id, const std::string& schedule_id);

  private:
    /// A code as verified: the ticket it names, or the refusal.
    struct Checked {
        bool ok = false;
        CheckinAnswer refusal;
        std::string ticket_id;
        std::string schedule_id;
        int issue = 0;
        bool is_static = false;  ///< a printed code (no window)
        CheckinRule rule;        ///< the schedule's rule at the scan's gate (once verified)
    };
    sdk::Result<Checked> verify_code(const std::string& code, int64_t at_us);
    /// The verified code of an online scan with its schedule's rule at the scan's gate, or the
    /// refusal (wrong schedule, a static code the rule does not admit).
    sdk::Result<Checked> check_online(const OnlineScan& scan, int64_t now_us);

    sdk::Host& host_;
    GateKits& kits_;
    CheckinRules& rules_;
    AdmissionBatcher* batcher_;
    StaffScope staff_scope_;
    /// Venue signatures already verified (the second scan of a double scan, a scanner reading
    /// one code repeatedly, a rotating code's next window); thread-safe.
    VenueSignatureCache signatures_;
};

}  // namespace admit::ticket

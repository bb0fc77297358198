// The statements that move a holder through a gate, each ONE conditional statement inside the
// caller's transaction, so of any number of concurrent scans of a ticket at most one changes it:
//
//   entry  ISSUED -> USED (inside, entries + 1), or, under a re-entry rule, USED -> USED again:
//          ONCE_PER_DAY when the last entry was on an earlier venue-local day, AFTER_EXIT when
//          the holder is outside. Always for the code's issue, and (for staff) only where they
//          may work. Records the entry in ticket.entries in the same statement.
//   exit   inside -> outside (AFTER_EXIT), recorded in ticket.entries.
//
// The events (ticket.checked_in, ticket.checked_out) are published by the caller in the same
// transaction. Stateless; thread-safe.
#pragma once

#include "checkin_rules.hpp"
#include "staff_access.hpp"
#include "ticket_store.hpp"

#include <admit/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace admit::ticket {

struct GateScan {
    std::string ticket_id;
    int issue = 0;      ///< the code's issue: only that issue is admitted
    int64_t at_us = 0;  ///< when it was scanned (the gate's clock for offline scans)
    std::string gate;   ///< may be empty
    std::string staff_id;
    bool limited = true;   ///< false for admins (and for uploads, checked before)
    bool offline = false;  ///< uploaded from an offline gate's journal
};

/// The entry statement under `rule`: the admitted row (staff columns), or nullopt when the rule,
/// the staff assignment or another scan (cancellation, reissue, expiry) keeps it out.
sdk::Result<std::optional<TicketRow>> admit_entry(sdk::Tx& tx, const GateScan& scan,
                                                  const CheckinRule& rule, StaffScope scope,
                                                  int64_t now_us);
/// The exit statement: the row now outside, or nullopt (not inside, not this issue, or not the
/// staff member's schedule).
sdk::Result<std::optional<TicketRow>> record_exit(sdk::Tx& tx, const GateScan& scan,
                                                  const CheckinRule& rule, StaffScope scope,
                                                  int64_t now_us);
/// The ticket as it is (staff columns), nullopt when there is none.
sdk::Result<std::optional<TicketRow>> find_ticket(sdk::Tx& tx, const std::string& id);

/// ticket.checked_in for an admitted entry: the ticket event plus usedAt, gate, offline,
/// entry (1 for the first admission) and reentry (the rule).
sdk::Status publish_checked_in(sdk::Tx& tx, const TicketRow& row, bool offline,
                               const std::string& staff, Reentry reentry);
/// ticket.checked_out for an exit: the ticket event plus exitedAt, gate and entries.
sdk::Status publish_checked_out(sdk::Tx& tx, const TicketRow& row, int64_t at_us,
                                const std::string& gate, const std::string& staff);

}  // namespace admit::ticket

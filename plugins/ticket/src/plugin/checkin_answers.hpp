// The answers of the check-in routes (entry, exit, batch): the staff view of a ticket, and each
// refusal with its API error body (409 ALREADY_USED with when and where, 422 INVALID_TICKET with
// the reason, 403 FORBIDDEN, 409 NOT_INSIDE / INVALID_STATE for exits). Pure functions.
#pragma once

#include "checkin_rules.hpp"
#include "ticket_store.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace admit::ticket {

/// An answer ready to send: status and body (error bodies lack only the trace id).
struct CheckinAnswer {
    int status = 200;
    boost::json::object body;
};

/// The staff view of a ticket (no codes, no ticket key): ticketId, status, scheduleId,
/// reservationId, userId, issue, seat, grade, usedAt/gate (the last entry), inside, entries.
boost::json::object staff_ticket_json(const TicketRow& row);

/// 422 INVALID_TICKET with `reason` (and the ticket id when known).
CheckinAnswer invalid_ticket(const std::string& reason, const std::string& detail,
                             const std::string& ticket_id = {});
/// 403 FORBIDDEN: the staff member may not work at `schedule_id`.
CheckinAnswer not_assigned(const std::string& schedule_id);
/// 409 ALREADY_USED: the last entry's time and gate; under a re-entry rule also the rule and
/// whether the holder is inside, with a message that says what would let them in.
CheckinAnswer already_used(const TicketRow& row, const CheckinRule& rule);
/// Why an entry scan of `ticket_id` (a code of issue `code_issue`) was not admitted, given the
/// ticket as it is now (nullopt: no such ticket).
CheckinAnswer entry_refusal(const std::optional<TicketRow>& row, const std::string& ticket_id,
                            int code_issue, const CheckinRule& rule);
/// Why an exit scan did not mark the holder outside: 409 NOT_INSIDE (never entered, or already
/// out), else the code's refusal (cancelled, expired, revoked).
CheckinAnswer exit_refusal(const std::optional<TicketRow>& row, const std::string& ticket_id,
                           int code_issue);

}  // namespace admit::ticket

#include "checkin_answers.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::ticket {

namespace {
boost::json::value nullable(const std::string& text) {
    return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

std::string when_of(const TicketRow& row) {
    return row.used_us ? sdk::format_rfc3339(*row.used_us, true) : "";
}

/// The refusals every scan shares once the ticket is not where the scan needs it.
std::optional<CheckinAnswer> lost_ticket(const std::optional<TicketRow>& row,
                                         const std::string& ticket_id, int code_issue) {
    if (!row) return invalid_ticket("revoked", "no such ticket", ticket_id);
    if (row->issue != code_issue)
        return invalid_ticket("revoked",
                              "the ticket was reissued (this code is issue " +
                                  std::to_string(code_issue) + ", the ticket is at issue " +
                                  std::to_string(row->issue) + ")",
                              ticket_id);
    if (row->status == "CANCELLED")
        return invalid_ticket("cancelled", row->status_reason, ticket_id);
    if (row->status == "EXPIRED")
        return invalid_ticket("expired", "the performance has ended", ticket_id);
    return std::nullopt;
}
}  // namespace

boost::json::object staff_ticket_json(const TicketRow& row) {
    boost::json::object json{{"ticketId", row.id},
                             {"status", row.status},
                             {"scheduleId", row.schedule_id},
                             {"reservationId", row.reservation_id},
                             {"userId", row.user_id},
                             {"issue", row.issue}};
    json["seat"] = row.seat_id.empty()
                       ? boost::json::value(nullptr)
                       : boost::json::value({{"seatId", row.seat_id}, {"label", row.seat_label}});
    json["grade"] = row.grade_id.empty()
                        ? boost::json::value(nullptr)
                        : boost::json::value({{"gradeId", row.grade_id}, {"name", row.grade_name}});
    json["usedAt"] = row.used_us ? boost::json::value(sdk::format_rfc3339(*row.used_us, true))
                                 : boost::json::value(nullptr);
    json["gate"] = nullable(row.used_gate);
    json["inside"] = row.inside;
    json["entries"] = row.entries;
    if (!row.status_reason.empty()) json["statusReason"] = row.status_reason;
    return json;
}

CheckinAnswer invalid_ticket(const std::string& reason, const std::string& detail,
                             const std::string& ticket_id) {
    boost::json::object body{
        {"code", "INVALID_TICKET"},
        {"message", "ticket refused (" + reason + ")" + (detail.empty() ? "" : ": " + detail)},
        {"reason", reason}};
    if (!ticket_id.empty()) body["ticketId"] = ticket_id;
    return {422, std::move(body)};
}

CheckinAnswer not_assigned(const std::string& schedule_id) {
    return {
        403,
        {{"code", "FORBIDDEN"}, {"message", "you are not assigned to schedule " + schedule_id}}};
}

CheckinAnswer already_used(const TicketRow& row, const CheckinRule& rule) {
    const std::string when = when_of(row);
    const std::string where = row.used_gate.empty() ? "" : " at gate " + row.used_gate;
    std::string message;
    switch (rule.reentry) {
        case Reentry::none:
            message = "ticket " + row.id + " was already used at " + when + where;
            break;
        case Reentry::once_per_day:
            message = "ticket " + row.id + " already entered today, at " + when + where +
                      "; it may enter again tomorrow";
            break;
        case Reentry::after_exit:
            message = "ticket " + row.id + " is inside since " + when + where +
                      "; scan it at an exit first";
            break;
    }
    boost::json::object body{
        {"code", "ALREADY_USED"}, {"message", message}, {"ticketId", row.id}, {"usedAt", when}};
    body["gate"] = nullable(row.used_gate);
    if (rule.reentry != Reentry::none) {
        body["reentry"] = reentry_name(rule.reentry);
        body["inside"] = row.inside;
        body["entries"] = row.entries;
    }
    return {409, std::move(body)};
}

CheckinAnswer entry_refusal(const std::optional<TicketRow>& row, const std::string& ticket_id,
                            int code_issue, const CheckinRule& rule) {
    if (auto lost = lost_ticket(row, ticket_id, code_issue)) return std::move(*lost);
    if (row->status == "USED") return already_used(*row, rule);
    return invalid_ticket("revoked", "the ticket changed during the check-in; scan again",
                          ticket_id);
}

CheckinAnswer exit_refusal(const std::optional<TicketRow>& row, const std::string& ticket_id,
                           int code_issue) {
    if (auto lost = lost_ticket(row, ticket_id, code_issue)) return std::move(*lost);
    std::string message = "ticket " + ticket_id + " is not inside: ";
    message += row->status == "ISSUED"
                   ? "it has not entered yet"
                   : "it left after its entry at " + when_of(*row) +
                         (row->used_gate.empty() ? "" : " at gate " + row->used_gate);
    boost::json::object body{{"code", "NOT_INSIDE"}, {"message", message}, {"ticketId", ticket_id}};
    body["usedAt"] = row->used_us ? boost::json::value(when_of(*row)) : boost::json::value(nullptr);
    return {409, std::move(body)};
}

}  // namespace admit::ticket

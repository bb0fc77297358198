#include "checkin_service.hpp"

#include "codes/base45.hpp"
#include "codes/code.hpp"
#include "codes/verifier.hpp"
#include "sql_text.hpp"
#include "ticket_issuer.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::ticket {

namespace {
namespace fields = sdk::fields;

constexpr std::size_t kMaxCodeText = 1000;
constexpr std::size_t kMaxLabel = 64;
constexpr std::size_t kMaxBatch = 500;

/// $1 staff member, $2 schedule -> one row with `ok`.
std::string may_scan_sql(StaffScope scope) {
    return "SELECT " + staff_may_work_sql("$1", "$2", scope) + " AS ok";
}

CheckinAnswer invalid(const std::string& reason, const std::string& detail,
                      const std::string& ticket_id = {}) {
    boost::json::object body{
        {"code", "INVALID_TICKET"},
        {"message", "ticket refused (" + reason + ")" + (detail.empty() ? "" : ": " + detail)},
        {"reason", reason}};
    if (!ticket_id.empty()) body["ticketId"] = ticket_id;
    return {422, std::move(body)};
}

CheckinAnswer already_used(const TicketRow& row) {
    const std::string when = row.used_us ? sdk::format_rfc3339(*row.used_us, true) : "";
    boost::json::object body{
        {"code", "ALREADY_USED"},
        {"message", "ticket " + row.id + " was already used at " + when +
                        (row.used_gate.empty() ? "" : " at gate " + row.used_gate)},
        {"ticketId", row.id},
        {"usedAt", when}};
    body["gate"] =
        row.used_gate.empty() ? boost::json::value(nullptr) : boost::json::value(row.used_gate);
    return {409, std::move(body)};
}

/// Why a ticket that the conditional update did not admit is not admitted.
CheckinAnswer refusal_for(const std::optional<TicketRow>& row, const std::string& ticket_id,
                          int code_issue) {
    if (!row) return invalid("revoked", "no such ticket", ticket_id);
    if (row->issue != code_issue)
        return invalid("revoked",
                       "the ticket was reissued (this code is issue " + std::to_string(code_issue) +
                           ", the ticket is at issue " + std::to_string(row->issue) + ")",
                       ticket_id);
    if (row->status == "USED") return already_used(*row);
    if (row->status == "CANCELLED") return invalid("cancelled", row->status_reason, ticket_id);
    if (row->status == "EXPIRED") return invalid("expired", "the performance has ended", ticket_id);
    return invalid("revoked", "the ticket changed during the check-in; scan again", ticket_id);
}

sdk::Result<std::optional<TicketRow>> find_in(sdk::Tx& tx, const std::string& id) {
    auto rows =
        tx.exec("SELECT " + ticket_columns() + " FROM ticket.tickets t WHERE t.id = $1", id);
    if (!rows) return std::move(rows).error();
    auto found = parse_tickets(*rows);
    if (found.empty()) return std::optional<TicketRow>{};
    return std::optional<TicketRow>(std::move(found.front()));
}

/// ISSUED -> USED for the code's issue; the admitted row, or nullopt when another scan (or a
/// cancellation, reissue, expiry) got there first.
sdk::Result<std::optional<TicketRow>> mark_used(sdk::Tx& tx, const std::string& id, int issue,
                                                int64_t at_us, const std::string& gate,
                                                const std::string& staff, int64_t now_us,
                                                bool limited_to_assignments, StaffScope scope) {
    // The staff assignment is checked in the same statement (no extra round trip on the way
    // in); a caller that gets nothing back asks may_scan() why.
    auto rows = tx.exec(
        "UPDATE ticket.tickets t SET status = 'USED', used_at = " + sql_time(3) +
            ", used_gate = NULLIF($4, ''), used_by = $5, updated_at = " + sql_time(6) +
            " WHERE t.id = $1 AND t.status = 'ISSUED' AND t.issue = $2 AND (NOT $7::boolean OR " +
            staff_may_work_sql("$5", "t.schedule_id", scope) + ") RETURNING " + ticket_columns(),
        id, issue, at_us, gate, staff, now_us, limited_to_assignments);
    if (!rows) return std::move(rows).error();
    auto changed = parse_tickets(*rows);
    if (changed.empty()) return std::optional<TicketRow>{};
    return std::optional<TicketRow>(std::move(changed.front()));
}

sdk::Status publish_checked_in(sdk::Tx& tx, const TicketRow& row, bool offline,
                               const std::string& staff) {
    auto event = ticket_event(row);
    event["usedAt"] = sdk::format_rfc3339(row.used_us.value_or(0), true);
    event["gate"] =
        row.used_gate.empty() ? boost::json::value(nullptr) : boost::json::value(row.used_gate);
    event["offline"] = offline;
    return tx.publish("ticket.checked_in", row.schedule_id, std::move(event), staff);
}

sdk::Result<std::string> optional_label(const boost::json::object& body, std::string_view field) {
    std::optional<std::string> value;
    ADMIT_TRY_ASSIGN(value, fields::optional_string(body, field));
    if (value && value->size() > kMaxLabel)
        return sdk::Error::invalid("field '" + std::string(field) + "' must be at most 64 bytes");
    return value.value_or("");
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
    json["gate"] =
        row.used_gate.empty() ? boost::json::value(nullptr) : boost::json::value(row.used_gate);
    if (!row.status_reason.empty()) json["statusReason"] = row.status_reason;
    return json;
}

struct CheckinService::Checked {
    bool ok = false;
    CheckinAnswer refusal;
    std::string ticket_id;
    std::string schedule_id;
    int issue = 0;
};

sdk::Result<CheckinService::Checked> CheckinService::verify_code(const std::string& code,
                                                                 int64_t at_us) {
    Checked checked;
    auto bytes = base45_decode(code);
    if (!bytes) {
        checked.refusal = invalid("malformed", bytes.error().message);
        return checked;
    }
    auto parsed = parse_code(*bytes);
    if (!parsed) {
        checked.refusal = invalid("malformed", parsed.error().message);
        return checked;
    }
    auto kit = kits_.verification_kit(parsed->ticket.payload.schedule_id);
    if (!kit) return std::move(kit).error();
    const auto verdict = verify_bytes(*bytes, **kit, at_us / 1'000'000, &signatures_);
    if (!verdict.ok) {
        checked.refusal = invalid(std::string(reason_name(verdict.reason)), verdict.detail);
        return checked;
    }
    checked.ok = true;
    checked.ticket_id = verdict.ticket->payload.ticket_id;
    checked.schedule_id = verdict.ticket->payload.schedule_id;
    checked.issue = verdict.ticket->payload.issue;
    return checked;
}

sdk::Result<bool> CheckinService::may_scan(const std::string& staff_id,
                                           const std::string& schedule_id) {
    auto rows = host_.db().exec(may_scan_sql(staff_scope_), staff_id, schedule_id);
    if (!rows) return std::move(rows).error();
    return !rows->empty() && rows->front().boolean("ok").value_or(false);
}

sdk::Result<CheckinAnswer> CheckinService::check_in(const OnlineScan& scan) {
    if (!scan.nonce.empty()) {  // a repeated nonce replays the first answer
        auto rows =
            host_.db().exec("SELECT response FROM ticket.scans WHERE nonce = $1", scan.nonce);
        if (!rows) return std::move(rows).error();
        if (!rows->empty() && !rows->front().is_null("response")) {
            auto stored = sdk::parse_json(rows->front().text("response"), "stored answer");
            if (stored && stored->is_object()) {
                const auto& object = stored->as_object();
                if (object.contains("status") && object.at("status").is_int64() &&
                    object.contains("body") && object.at("body").is_object()) {
                    return CheckinAnswer{static_cast<int>(object.at("status").as_int64()),
                                         object.at("body").as_object()};
                }
            }
        }
    }
    const int64_t now = host_.now_us();
    Checked checked;
    ADMIT_TRY_ASSIGN(checked, verify_code(scan.code, now));
    if (!checked.ok) return checked.refusal;
    if (!scan.schedule_id.empty() && scan.schedule_id != checked.schedule_id) {
        return invalid("wrong_schedule", "the code is for schedule " + checked.schedule_id,
                       checked.ticket_id);
    }
    if (scan.nonce.empty() && batcher_ != nullptr) {
        AdmissionOutcome outcome;
        ADMIT_TRY_ASSIGN(outcome, batcher_->admit({checked.ticket_id, checked.issue, now, scan.gate,
                                                   scan.staff_id, scan.limited_to_assignments}));
        if (outcome.admitted) return CheckinAnswer{200, staff_ticket_json(*outcome.admitted)};
        if (outcome.forbidden) {
            return CheckinAnswer{
                403,
                {{"code", "FORBIDDEN"},
                 {"message", "you are not assigned to schedule " + checked.schedule_id}}};
        }
        return refusal_for(outcome.current, checked.ticket_id, checked.issue);
    }

    CheckinAnswer answer;
    bool forbidden = false;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        std::optional<TicketRow> admitted;
        ADMIT_TRY_ASSIGN(
            admitted, mark_used(tx, checked.ticket_id, checked.issue, now, scan.gate, scan.staff_id,
                                now, scan.limited_to_assignments, staff_scope_));
        if (admitted) {
            ADMIT_TRY(publish_checked_in(tx, *admitted, false, scan.staff_id));
            answer = {200, staff_ticket_json(*admitted)};
        } else if (scan.limited_to_assignments) {
            auto allowed = tx.exec(may_scan_sql(staff_scope_), scan.staff_id, checked.schedule_id);
            if (!allowed) return std::move(allowed).error();
            forbidden = allowed->empty() || !allowed->front().boolean("ok").value_or(false);
        }
        if (forbidden) return {};  // nothing recorded: the scan was not this staff member's
        if (!admitted) {
            std::optional<TicketRow> current;
            ADMIT_TRY_ASSIGN(current, find_in(tx, checked.ticket_id));
            answer = refusal_for(current, checked.ticket_id, checked.issue);
        }
        if (scan.nonce.empty()) return {};
        const std::string outcome = admitted               ? "ADMITTED"
                                    : answer.status == 409 ? "ALREADY_USED"
                                                           : "REFUSED";
        auto recorded = tx.exec(
            "INSERT INTO ticket.scans (nonce, ticket_id, schedule_id, gate, staff_id, scanned_at, "
            "outcome, reason, response, recorded_at) VALUES ($1, $2, $3, NULLIF($4, ''), $5, " +
                sql_time(6) + ", $7, $8, $9, " + sql_time(6) + ") ON CONFLICT (nonce) DO NOTHING",
            scan.nonce, checked.ticket_id, checked.schedule_id, scan.gate, scan.staff_id, now,
            outcome,
            answer.body.contains("reason")
                ? std::optional<std::string>(answer.body.at("reason").as_string().c_str())
                : std::nullopt,
            boost::json::serialize(
                boost::json::object{{"status", answer.status}, {"body", answer.body}}));
        if (!recorded) return std::move(recorded).error();
        return {};
    });
    if (!status) return status.error();
    if (forbidden) {
        return CheckinAnswer{
            403,
            {{"code", "FORBIDDEN"},
             {"message", "you are not assigned to schedule " + checked.schedule_id}}};
    }
    return answer;
}

sdk::Result<CheckinAnswer> CheckinService::upload(const boost::json::array& scans,
                                                  const std::string& staff_id,
                                                  bool limited_to_assignments) {
    if (scans.empty() || scans.size() > kMaxBatch)
        return sdk::Error::invalid("field 'scans' must hold 1..500 scans");
    struct Entry {
        std::string nonce, code, gate;
        int64_t at_us = 0;
        bool admitted = false;
    };
    std::vector<Entry> entries;
    for (std::size_t i = 0; i < scans.size(); ++i) {
        const std::string where = "scans[" + std::to_string(i) + "]";
        if (!scans[i].is_object()) return sdk::Error::invalid(where + " must be an object");
        const auto& object = scans[i].as_object();
        auto prefixed = [&where](const sdk::Error& e) {
            return sdk::Error::invalid(where + ": " + e.message);
        };
        Entry entry;
        auto nonce = fields::required_string(object, "nonce");
        if (!nonce) return prefixed(nonce.error());
        auto code = fields::required_string(object, "code");
        if (!code) return prefixed(code.error());
        auto at = fields::required_string(object, "at");
        if (!at) return prefixed(at.error());
        auto gate = optional_label(object, "gate");
        if (!gate) return prefixed(gate.error());
        auto admitted = fields::required_bool(object, "admitted");
        if (!admitted) return prefixed(admitted.error());
        const auto at_us = sdk::parse_rfc3339(*at);
        if (!at_us || *at_us < 0)
            return sdk::Error::invalid(where + ": field 'at' must be RFC 3339");
        if (nonce->size() > kMaxLabel || code->size() > kMaxCodeText)
            return sdk::Error::invalid(where + ": nonce or code too long");
        entries.push_back(
            {std::move(*nonce), std::move(*code), std::move(*gate), *at_us, *admitted});
    }

    boost::json::array results;
    int64_t admitted_count = 0, duplicates = 0, conflicts = 0, refused = 0;
    const int64_t now = host_.now_us();
    for (const auto& entry : entries) {
        Checked checked;
        ADMIT_TRY_ASSIGN(checked, verify_code(entry.code, entry.at_us));
        if (checked.ok && limited_to_assignments) {
            bool allowed = false;
            ADMIT_TRY_ASSIGN(allowed, may_scan(staff_id, checked.schedule_id));
            if (!allowed) {
                checked.ok = false;
                checked.refusal = invalid(
                    "wrong_schedule", "you are not assigned to schedule " + checked.schedule_id);
            }
        }
        boost::json::object result{{"nonce", entry.nonce}};
        auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
            auto fresh = tx.exec(
                "INSERT INTO ticket.scans (nonce, ticket_id, schedule_id, gate, staff_id, "
                "scanned_at, outcome, recorded_at) VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), "
                "NULLIF($4, ''), $5, " +
                    sql_time(6) + ", 'PENDING', " + sql_time(7) +
                    ") ON CONFLICT (nonce) DO NOTHING RETURNING nonce",
                entry.nonce, checked.ticket_id, checked.schedule_id, entry.gate, staff_id,
                entry.at_us, now);
            if (!fresh) return std::move(fresh).error();
            if (fresh->empty()) {
                result["outcome"] = "DUPLICATE";
                return {};
            }
            if (!checked.ticket_id.empty()) result["ticketId"] = checked.ticket_id;
            std::string outcome, reason;
            boost::json::object conflict;
            if (!entry.admitted) {
                outcome = "REFUSED";  // the gate refused it: recorded, nothing changes
                if (!checked.ok) reason = checked.refusal.body.at("reason").as_string().c_str();
            } else if (!checked.ok) {
                outcome = "CONFLICT";
                reason = checked.refusal.body.at("reason").as_string().c_str();
                conflict = {{"kind", "INVALID_ADMISSION"}, {"reason", reason}};
            } else {
                std::optional<TicketRow> used;
                ADMIT_TRY_ASSIGN(used, mark_used(tx, checked.ticket_id, checked.issue, entry.at_us,
                                                 entry.gate, staff_id, now, false, staff_scope_));
                if (used) {
                    outcome = "ADMITTED";
                    ADMIT_TRY(publish_checked_in(tx, *used, true, staff_id));
                } else {
                    std::optional<TicketRow> current;
                    ADMIT_TRY_ASSIGN(current, find_in(tx, checked.ticket_id));
                    outcome = "CONFLICT";
                    if (current && current->status == "USED" && current->issue == checked.issue) {
                        conflict = {{"kind", "DOUBLE_ADMISSION"}};
                        conflict["firstAt"] =
                            sdk::format_rfc3339(current->used_us.value_or(0), true);
                        conflict["firstGate"] = current->used_gate.empty()
                                                    ? boost::json::value(nullptr)
                                                    : boost::json::value(current->used_gate);
                    } else {
                        reason = refusal_for(current, checked.ticket_id, checked.issue)
                                     .body.at("reason")
                                     .as_string()
                                     .c_str();
                        conflict = {{"kind", "INVALID_ADMISSION"}, {"reason", reason}};
                    }
                }
            }
            if (!conflict.empty()) {
                const std::string id = sdk::new_id("cfl");
                const auto* first_at = conflict.if_contains("firstAt");
                auto stored = tx.exec(
                    "INSERT INTO ticket.checkin_conflicts (id, ticket_id, schedule_id, kind, "
                    "nonce, "
                    "gate, scanned_at, first_at, first_gate, reason, created_at) VALUES ($1, "
                    "NULLIF($2, ''), NULLIF($3, ''), $4, $5, NULLIF($6, ''), " +
                        sql_time(7) + ", $8::timestamptz, $9, NULLIF($10, ''), " + sql_time(11) +
                        ")",
                    id, checked.ticket_id, checked.schedule_id,
                    std::string(conflict.at("kind").as_string()), entry.nonce, entry.gate,
                    entry.at_us,
                    first_at ? std::optional<std::string>(first_at->as_string().c_str())
                             : std::nullopt,
                    conflict.contains("firstGate") && conflict.at("firstGate").is_string()
                        ? std::optional<std::string>(conflict.at("firstGate").as_string().c_str())
                        : std::nullopt,
                    reason, now);
                if (!stored) return std::move(stored).error();
                boost::json::object event = conflict;
                event["conflictId"] = id;
                event["ticketId"] = checked.ticket_id;
                event["scheduleId"] = checked.schedule_id;
                event["nonce"] = entry.nonce;
                event["gate"] = entry.gate;
                event["scannedAt"] = sdk::format_rfc3339(entry.at_us, true);
                ADMIT_TRY(
                    tx.publish("ticket.checkin_conflict",
                               checked.schedule_id.empty() ? entry.nonce : checked.schedule_id,
                               std::move(event), staff_id));
                conflict["conflictId"] = id;
                result["conflict"] = conflict;
            }
            result["outcome"] = outcome;
            if (!reason.empty()) result["reason"] = reason;
            auto updated = tx.exec(
                "UPDATE ticket.scans SET outcome = $2, reason = NULLIF($3, '') WHERE nonce = $1",
                entry.nonce, outcome, reason);
            if (!updated) return std::move(updated).error();
            return {};
        });
        if (!status) return status.error();
        const auto outcome = result.at("outcome").as_string();
        if (outcome == "ADMITTED") ++admitted_count;
        if (outcome == "DUPLICATE") ++duplicates;
        if (outcome == "CONFLICT") ++conflicts;
        if (outcome == "REFUSED") ++refused;
        results.push_back(std::move(result));
    }
    return CheckinAnswer{200,
                         {{"results", std::move(results)},
                          {"admitted", admitted_count},
                          {"duplicates", duplicates},
                          {"conflicts", conflicts},
                          {"refused", refused}}};
}

}  // namespace admit::ticket

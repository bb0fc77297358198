#include "checkin_service.hpp"

#include "codes/base45.hpp"
#include "codes/code.hpp"
#include "codes/verifier.hpp"
#include "entry_statements.hpp"
#include "sql_text.hpp"

namespace admit::ticket {

namespace {
/// $1 staff member, $2 schedule -> one row with `ok`.
std::string may_scan_sql(StaffScope scope) {
    return "SELECT " + staff_may_work_sql("$1", "$2", scope) + " AS ok";
}

/// The answer stored for a nonce, if a scan with it was answered before.
sdk::Result<std::optional<CheckinAnswer>> stored_answer(sdk::Host& host, const std::string& nonce) {
    auto rows = host.db().exec("SELECT response FROM ticket.scans WHERE nonce = $1", nonce);
    if (!rows) return std::move(rows).error();
    if (rows->empty() || rows->front().is_null("response")) return std::optional<CheckinAnswer>{};
    auto stored = sdk::parse_json(rows->front().text("response"), "stored answer");
    if (!stored || !stored->is_object()) return std::optional<CheckinAnswer>{};
    const auto& object = stored->as_object();
    if (!object.contains("status") || !object.at("status").is_int64() || !object.contains("body") ||
        !object.at("body").is_object())
        return std::optional<CheckinAnswer>{};
    return std::optional<CheckinAnswer>(CheckinAnswer{
        static_cast<int>(object.at("status").as_int64()), object.at("body").as_object()});
}
}  // namespace

sdk::Result<CheckinService::Checked> CheckinService::verify_code(const std::string& code,
                                                                 int64_t at_us) {
    Checked checked;
    auto bytes = base45_decode(code);
    if (!bytes) {
        checked.refusal = invalid_ticket("malformed", bytes.error().message);
        return checked;
    }
    auto parsed = parse_code(*bytes);
    if (!parsed) {
        checked.refusal = invalid_ticket("malformed", parsed.error().message);
        return checked;
    }
    auto kit = kits_.verification_kit(parsed->ticket.payload.schedule_id);
    if (!kit) return std::move(kit).error();
    const auto verdict = verify_bytes(*bytes, **kit, at_us / 1'000'000, &signatures_);
    if (!verdict.ok) {
        checked.refusal = invalid_ticket(std::string(reason_name(verdict.reason)), verdict.detail);
        return checked;
    }
    checked.ok = true;
    checked.ticket_id = verdict.ticket->payload.ticket_id;
    checked.schedule_id = verdict.ticket->payload.schedule_id;
    checked.issue = verdict.ticket->payload.issue;
    checked.is_static = !verdict.ticket->window.has_value();
    return checked;
}

sdk::Result<CheckinService::Checked> CheckinService::check_online(const OnlineScan& scan,
                                                                  int64_t now_us) {
    Checked checked;
    ADMIT_TRY_ASSIGN(checked, verify_code(scan.code, now_us));
    if (!checked.ok) return checked;
    if (!scan.schedule_id.empty() && scan.schedule_id != checked.schedule_id) {
        checked.ok = false;
        checked.refusal = invalid_ticket(
            "wrong_schedule", "the code is for schedule " + checked.schedule_id, checked.ticket_id);
        return checked;
    }
    ADMIT_TRY_ASSIGN(checked.rule, rules_.rule_for(checked.schedule_id, scan.gate));
    if (checked.is_static && !checked.rule.allow_static_code) {
        checked.ok = false;
        checked.refusal = invalid_ticket(
            "window",
            "static codes are not admitted at this gate (checkin policy); show the app's code",
            checked.ticket_id);
    }
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
        std::optional<CheckinAnswer> replay;
        ADMIT_TRY_ASSIGN(replay, stored_answer(host_, scan.nonce));
        if (replay) return std::move(*replay);
    }
    const int64_t now = host_.now_us();
    Checked checked;
    ADMIT_TRY_ASSIGN(checked, check_online(scan, now));
    if (!checked.ok) return checked.refusal;
    const CheckinRule& rule = checked.rule;
    if (scan.nonce.empty() && batcher_ != nullptr && rule.reentry == Reentry::none) {
        AdmissionOutcome outcome;
        ADMIT_TRY_ASSIGN(outcome, batcher_->admit({checked.ticket_id, checked.issue, now, scan.gate,
                                                   scan.staff_id, scan.limited_to_assignments,
                                                   rule.day_of(now / 1'000'000), rule.revision}));
        if (outcome.admitted) return CheckinAnswer{200, staff_ticket_json(*outcome.admitted)};
        if (outcome.forbidden) return not_assigned(checked.schedule_id);
        return entry_refusal(outcome.current, checked.ticket_id, checked.issue, rule);
    }

    const GateScan gate_scan{
        checked.ticket_id,           checked.issue, now, scan.gate, scan.staff_id,
        scan.limited_to_assignments, false};
    CheckinAnswer answer;
    bool forbidden = false;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        forbidden = false;
        std::optional<TicketRow> admitted;
        ADMIT_TRY_ASSIGN(admitted, admit_entry(tx, gate_scan, rule, staff_scope_, now));
        if (admitted) {
            ADMIT_TRY(publish_checked_in(tx, *admitted, false, scan.staff_id, rule.reentry));
            answer = {200, staff_ticket_json(*admitted)};
        } else if (scan.limited_to_assignments) {
            auto allowed = tx.exec(may_scan_sql(staff_scope_), scan.staff_id, checked.schedule_id);
            if (!allowed) return std::move(allowed).error();
            forbidden = allowed->empty() || !allowed->front().boolean("ok").value_or(false);
        }
        if (forbidden) return {};  // nothing recorded: the scan was not this staff member's
        if (!admitted) {
            std::optional<TicketRow> current;
            ADMIT_TRY_ASSIGN(current, find_ticket(tx, checked.ticket_id));
            answer = entry_refusal(current, checked.ticket_id, checked.issue, rule);
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
    if (forbidden) return not_assigned(checked.schedule_id);
    return answer;
}

sdk::Result<CheckinAnswer> CheckinService::check_out(const OnlineScan& scan) {
    const int64_t now = host_.now_us();
    Checked checked;
    ADMIT_TRY_ASSIGN(checked, check_online(scan, now));
    if (!checked.ok) return checked.refusal;
    if (checked.rule.reentry != Reentry::after_exit) {
        return CheckinAnswer{
            409,
            {{"code", "INVALID_STATE"},
             {"message", "schedule " + checked.schedule_id + " admits " +
                             (checked.rule.reentry == Reentry::none ? "one entry per ticket"
                                                                    : "one entry per day") +
                             " (checkin policy): exit scans change nothing there"},
             {"reentry", reentry_name(checked.rule.reentry)}}};
    }
    const GateScan gate_scan{
        checked.ticket_id,           checked.issue, now, scan.gate, scan.staff_id,
        scan.limited_to_assignments, false};
    CheckinAnswer answer;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        std::optional<TicketRow> outside;
        ADMIT_TRY_ASSIGN(outside, record_exit(tx, gate_scan, checked.rule, staff_scope_, now));
        if (outside) {
            ADMIT_TRY(publish_checked_out(tx, *outside, now, scan.gate, scan.staff_id));
            answer = {200, staff_ticket_json(*outside)};
            return {};
        }
        if (scan.limited_to_assignments) {
            auto allowed = tx.exec(may_scan_sql(staff_scope_), scan.staff_id, checked.schedule_id);
            if (!allowed) return std::move(allowed).error();
            if (allowed->empty() || !allowed->front().boolean("ok").value_or(false)) {
                answer = not_assigned(checked.schedule_id);
                return {};
            }
        }
        std::optional<TicketRow> current;
        ADMIT_TRY_ASSIGN(current, find_ticket(tx, checked.ticket_id));
        answer = exit_refusal(current, checked.ticket_id, checked.issue);
        return {};
    });
    if (!status) return status.error();
    return answer;
}

}  // namespace admit::ticket

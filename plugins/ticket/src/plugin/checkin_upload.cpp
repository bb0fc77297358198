// POST /api/v1/checkin/batch: offline scans uploaded from a gate's journal (CheckinService).
#include "checkin_service.hpp"
#include "entry_statements.hpp"
#include "sql_text.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::ticket {

namespace {
namespace fields = sdk::fields;

constexpr std::size_t kMaxCodeText = 1000;
constexpr std::size_t kMaxLabel = 64;
constexpr std::size_t kMaxBatch = 500;

sdk::Result<std::string> optional_label(const boost::json::object& body, std::string_view field) {
    std::optional<std::string> value;
    ADMIT_TRY_ASSIGN(value, fields::optional_string(body, field));
    if (value && value->size() > kMaxLabel)
        return sdk::Error::invalid("field '" + std::string(field) + "' must be at most 64 bytes");
    return value.value_or("");
}
}  // namespace

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
        if (checked.ok) {
            ADMIT_TRY_ASSIGN(checked.rule, rules_.rule_for(checked.schedule_id, entry.gate));
        }
        if (checked.ok && limited_to_assignments) {
            bool allowed = false;
            ADMIT_TRY_ASSIGN(allowed, may_scan(staff_id, checked.schedule_id));
            if (!allowed) {
                checked.ok = false;
                checked.refusal = invalid_ticket(
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
                // The gate's own clock decides the day (ONCE_PER_DAY); limits were checked above.
                const GateScan scan{checked.ticket_id, checked.issue, entry.at_us, entry.gate,
                                    staff_id,          false,         true};
                std::optional<TicketRow> used;
                ADMIT_TRY_ASSIGN(used, admit_entry(tx, scan, checked.rule, staff_scope_, now));
                if (used) {
                    outcome = "ADMITTED";
                    ADMIT_TRY(publish_checked_in(tx, *used, true, staff_id, checked.rule.reentry));
                } else {
                    std::optional<TicketRow> current;
                    ADMIT_TRY_ASSIGN(current, find_ticket(tx, checked.ticket_id));
                    outcome = "CONFLICT";
                    if (current && current->status == "USED" && current->issue == checked.issue) {
                        conflict = {{"kind", "DOUBLE_ADMISSION"}};
                        conflict["firstAt"] =
                            sdk::format_rfc3339(current->used_us.value_or(0), true);
                        conflict["firstGate"] = current->used_gate.empty()
                                                    ? boost::json::value(nullptr)
                                                    : boost::json::value(current->used_gate);
                    } else {
                        reason =
                            entry_refusal(current, checked.ticket_id, checked.issue, checked.rule)
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

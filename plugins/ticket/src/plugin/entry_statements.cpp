#include "entry_statements.hpp"

#include "sql_text.hpp"
#include "ticket_issuer.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::ticket {

namespace {
/// The rows of `rows` as tickets: the first, or nullopt.
std::optional<TicketRow> first_of(const sdk::Rows& rows) {
    auto parsed = parse_tickets(rows);
    if (parsed.empty()) return std::nullopt;
    return std::move(parsed.front());
}

std::string entry_sql(StaffScope scope) {
    // $1 id, $2 issue, $3 at, $4 gate, $5 staff, $6 now, $7 limited, $8 day, $9 rule,
    // $10 offline, $11 policy revision.
    return "WITH admitted AS (UPDATE ticket.tickets t SET status = 'USED', used_at = " +
           sql_time(3) + ", used_gate = NULLIF($4, ''), used_by = $5, updated_at = " + sql_time(6) +
           ", inside = true, entries = t.entries + 1, entry_day = $8 WHERE t.id = $1 AND "
           "t.issue = $2 AND (t.status = 'ISSUED' OR (t.status = 'USED' AND (($9 = "
           "'ONCE_PER_DAY' AND COALESCE(t.entry_day, -1) < $8) OR ($9 = 'AFTER_EXIT' AND NOT "
           "t.inside)))) AND (NOT $7::boolean OR " +
           staff_may_work_sql("$5", "t.schedule_id", scope) +
           ") RETURNING t.*), logged AS (INSERT INTO ticket.entries (ticket_id, schedule_id, "
           "kind, at, gate, staff_id, offline, reentry, policy_revision) SELECT id, schedule_id, "
           "'ENTRY', used_at, used_gate, used_by, $10, $9, NULLIF($11, '') FROM admitted) "
           "SELECT " +
           staff_ticket_columns() + " FROM admitted t";
}

std::string exit_sql(StaffScope scope) {
    // $1 id, $2 issue, $3 at, $4 gate, $5 staff, $6 now, $7 limited, $8 policy revision.
    return "WITH left_venue AS (UPDATE ticket.tickets t SET inside = false, updated_at = " +
           sql_time(6) +
           " WHERE t.id = $1 AND t.issue = $2 AND t.status = 'USED' AND t.inside AND (NOT "
           "$7::boolean OR " +
           staff_may_work_sql("$5", "t.schedule_id", scope) +
           ") RETURNING t.*), logged AS (INSERT INTO ticket.entries (ticket_id, schedule_id, "
           "kind, at, gate, staff_id, offline, reentry, policy_revision) SELECT id, schedule_id, "
           "'EXIT', " +
           sql_time(3) +
           ", NULLIF($4, ''), $5, false, 'AFTER_EXIT', NULLIF($8, '') FROM left_venue) SELECT " +
           staff_ticket_columns() + " FROM left_venue t";
}
}  // namespace

sdk::Result<std::optional<TicketRow>> admit_entry(sdk::Tx& tx, const GateScan& scan,
                                                  const CheckinRule& rule, StaffScope scope,
                                                  int64_t now_us) {
    auto rows = tx.exec(entry_sql(scope), scan.ticket_id, scan.issue, scan.at_us, scan.gate,
                        scan.staff_id, now_us, scan.limited, rule.day_of(scan.at_us / 1'000'000),
                        std::string(reentry_name(rule.reentry)), scan.offline, rule.revision);
    if (!rows) return std::move(rows).error();
    return first_of(*rows);
}

sdk::Result<std::optional<TicketRow>> record_exit(sdk::Tx& tx, const GateScan& scan,
                                                  const CheckinRule& rule, StaffScope scope,
                                                  int64_t now_us) {
    auto rows = tx.exec(exit_sql(scope), scan.ticket_id, scan.issue, scan.at_us, scan.gate,
                        scan.staff_id, now_us, scan.limited, rule.revision);
    if (!rows) return std::move(rows).error();
    return first_of(*rows);
}

sdk::Result<std::optional<TicketRow>> find_ticket(sdk::Tx& tx, const std::string& id) {
    auto rows =
        tx.exec("SELECT " + staff_ticket_columns() + " FROM ticket.tickets t WHERE t.id = $1", id);
    if (!rows) return std::move(rows).error();
    return first_of(*rows);
}

sdk::Status publish_checked_in(sdk::Tx& tx, const TicketRow& row, bool offline,
                               const std::string& staff, Reentry reentry) {
    auto event = ticket_event(row);
    event["usedAt"] = sdk::format_rfc3339(row.used_us.value_or(0), true);
    event["gate"] =
        row.used_gate.empty() ? boost::json::value(nullptr) : boost::json::value(row.used_gate);
    event["offline"] = offline;
    event["entry"] = row.entries;
    event["reentry"] = reentry_name(reentry);
    return tx.publish("ticket.checked_in", row.schedule_id, std::move(event), staff);
}

sdk::Status publish_checked_out(sdk::Tx& tx, const TicketRow& row, int64_t at_us,
                                const std::string& gate, const std::string& staff) {
    auto event = ticket_event(row);
    event["exitedAt"] = sdk::format_rfc3339(at_us, true);
    event["gate"] = gate.empty() ? boost::json::value(nullptr) : boost::json::value(gate);
    event["entries"] = row.entries;
    return tx.publish("ticket.checked_out", row.schedule_id, std::move(event), staff);
}

}  // namespace admit::ticket

#include "ticket_store.hpp"

#include "sql_text.hpp"

namespace admit::ticket {

std::string staff_ticket_columns() {
    return "t.id, t.reservation_id, t.unit_key, t.schedule_id, t.product_id, t.user_id, "
           "t.seat_id, t.seat_label, t.grade_id, t.grade_name, t.status, t.issue, "
           "t.status_reason, t.used_gate, t.used_by, t.inside, t.entries, t.entry_day, " +
           sql_micros("t.valid_from", "valid_from_us") + ", " +
           sql_micros("t.valid_until", "valid_until_us") + ", " +
           sql_micros("t.created_at", "created_us") + ", " + sql_micros("t.used_at", "used_us");
}

std::string ticket_columns() {
    return staff_ticket_columns() + ", t.kid, t.signed_ticket, t.ticket_seed, t.static_code";
}

std::vector<TicketRow> parse_tickets(const sdk::Rows& rows) {
    std::vector<TicketRow> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
        TicketRow t;
        t.id = row.text("id");
        t.reservation_id = row.text("reservation_id");
        t.unit_key = row.text("unit_key");
        t.schedule_id = row.text("schedule_id");
        t.product_id = row.text("product_id");
        t.user_id = row.text("user_id");
        t.seat_id = row.text("seat_id");
        t.seat_label = row.text("seat_label");
        t.grade_id = row.text("grade_id");
        t.grade_name = row.text("grade_name");
        t.status = row.text("status");
        t.issue = static_cast<int>(row.int64("issue").value_or(0));
        // The codes are absent from staff_ticket_columns().
        const auto optional_text = [&row](std::string_view column) {
            auto value = row[column];
            return value && *value ? std::move(**value) : std::string();
        };
        t.kid = optional_text("kid");
        t.signed_ticket = optional_text("signed_ticket");
        t.ticket_seed = optional_text("ticket_seed");
        t.static_code = optional_text("static_code");
        t.inside = row.boolean("inside").value_or(false);
        t.entries = static_cast<int>(row.int64("entries").value_or(0));
        t.entry_day = row.int64("entry_day");
        t.status_reason = row.text("status_reason");
        t.used_gate = row.text("used_gate");
        t.used_by = row.text("used_by");
        t.valid_from_us = row.int64("valid_from_us").value_or(0);
        t.valid_until_us = row.int64("valid_until_us").value_or(0);
        t.created_us = row.int64("created_us").value_or(0);
        t.used_us = row.int64("used_us");
        out.push_back(std::move(t));
    }
    return out;
}

sdk::Result<std::optional<TicketRow>> TicketStore::find(const std::string& id) {
    auto rows =
        db_.exec("SELECT " + ticket_columns() + " FROM ticket.tickets t WHERE t.id = $1", id);
    if (!rows) return std::move(rows).error();
    auto tickets = parse_tickets(*rows);
    if (tickets.empty()) return std::optional<TicketRow>{};
    return std::optional<TicketRow>(std::move(tickets.front()));
}

sdk::Result<std::vector<TicketRow>> TicketStore::list_for_user(const std::string& user_id,
                                                               int64_t limit,
                                                               const std::string& cursor) {
    auto rows = db_.exec("SELECT " + ticket_columns() +
                             " FROM ticket.tickets t WHERE t.user_id = $1 AND t.id > $2 "
                             "ORDER BY t.id LIMIT $3",
                         user_id, cursor, limit);
    if (!rows) return std::move(rows).error();
    return parse_tickets(*rows);
}

sdk::Result<std::vector<TicketRow>> TicketStore::list_for_schedule(const std::string& schedule_id,
                                                                   const std::string& status,
                                                                   int64_t limit,
                                                                   const std::string& cursor) {
    auto rows = db_.exec("SELECT " + ticket_columns() +
                             " FROM ticket.tickets t WHERE t.schedule_id = $1 AND t.id > $2 "
                             "AND ($3 = '' OR t.status = $3) ORDER BY t.id LIMIT $4",
                         schedule_id, cursor, status, limit);
    if (!rows) return std::move(rows).error();
    return parse_tickets(*rows);
}

sdk::Result<StatusCounts> TicketStore::counts(const std::string& schedule_id) {
    auto rows = db_.exec(
        "SELECT status, count(*) AS n FROM ticket.tickets WHERE schedule_id = $1 GROUP BY status",
        schedule_id);
    if (!rows) return std::move(rows).error();
    StatusCounts counts{{"ISSUED", 0}, {"USED", 0}, {"CANCELLED", 0}, {"EXPIRED", 0}};
    for (const auto& row : *rows) counts[row.text("status")] = row.int64("n").value_or(0);
    return counts;
}

}  // namespace admit::ticket

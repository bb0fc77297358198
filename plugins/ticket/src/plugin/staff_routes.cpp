// Route registration, and the routes of staff (check-in, gate kits), sellers and admins
// (tickets of a schedule with counts, staff assignments, check-in conflicts).
#include "codes/gate_kit.hpp"
#include "ticket_contracts.hpp"
#include "ticket_plugin.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::ticket {

using sdk::Request;
using sdk::Response;
namespace fields = sdk::fields;

namespace {
constexpr std::size_t kMaxId = 100;

bool bad_id(std::string_view id) { return id.empty() || id.size() > kMaxId; }
}  // namespace

sdk::Status TicketPlugin::register_routes(sdk::Host& host) {
    ADMIT_TRY(host.route("GET", "/api/v1/tickets", "authenticated", &TicketPlugin::list_mine, this,
                         {.summary = "The caller's tickets, with codes and QR links",
                          .operation_id = "listTickets",
                          .contract = contracts::list_mine()}));
    ADMIT_TRY(host.route("GET", "/api/v1/tickets/{ticketId}", "authenticated",
                         &TicketPlugin::get_one, this,
                         {.summary = "One of the caller's tickets (admin: any, without codes)",
                          .operation_id = "getTicket",
                          .contract = contracts::get_one()}));
    ADMIT_TRY(host.route("GET", "/api/v1/tickets/{ticketId}/qr.svg", "authenticated",
                         [this](const Request& r) { return qr_image(r, false); },
                         {.summary = "The owner's static code as an SVG QR image",
                          .operation_id = "getTicketQrSvg",
                          .contract = contracts::qr(false)}));
    ADMIT_TRY(host.route("GET", "/api/v1/tickets/{ticketId}/qr.png", "authenticated",
                         [this](const Request& r) { return qr_image(r, true); },
                         {.summary = "The owner's static code as a PNG QR image",
                          .operation_id = "getTicketQrPng",
                          .contract = contracts::qr(true)}));
    ADMIT_TRY(host.route("POST", "/api/v1/tickets/{ticketId}/reissue", "authenticated",
                         &TicketPlugin::reissue, this,
                         {.summary = "Owner: new codes and ticket key, the old codes revoked",
                          .operation_id = "reissueTicket",
                          .contract = contracts::reissue()}));
    ADMIT_TRY(host.route("POST", "/api/v1/checkin", "staff,admin", &TicketPlugin::check_in, this,
                         {.summary = "Staff: verify a code and admit its ticket once",
                          .operation_id = "checkIn",
                          .contract = contracts::check_in()}));
    ADMIT_TRY(host.route("POST", "/api/v1/checkin/exit", "staff,admin", &TicketPlugin::check_out,
                         this,
                         {.summary = "Staff: an exit scan; the holder may enter again (AFTER_EXIT)",
                          .operation_id = "checkOut",
                          .contract = contracts::check_out()}));
    ADMIT_TRY(host.route("POST", "/api/v1/checkin/batch", "staff,admin",
                         &TicketPlugin::check_in_batch, this,
                         {.summary = "Staff: offline scans uploaded later, deduplicated by nonce",
                          .operation_id = "checkInBatch",
                          .contract = contracts::check_in_batch()}));
    return host.route("GET", "/api/v1/schedules/{scheduleId}/gate-kit", "staff,admin",
                      &TicketPlugin::gate_kit, this,
                      {.summary = "Staff: keys, revocations and schedule facts for offline gates",
                       .operation_id = "getGateKit",
                       .contract = contracts::gate_kit()});
}

sdk::Status TicketPlugin::register_admin_routes(sdk::Host& host) {
    ADMIT_TRY(host.route("GET", "/api/v1/schedules/{scheduleId}/tickets", "admin,seller",
                         &TicketPlugin::schedule_tickets, this,
                         {.summary = "Admin/seller: a schedule's tickets with counts per status",
                          .operation_id = "listScheduleTickets",
                          .contract = contracts::schedule_tickets()}));
    ADMIT_TRY(host.route(
        "PUT", "/api/v1/admin/schedules/{scheduleId}/staff/{userId}", "admin",
        [this](const Request& r) { return assign_staff(r, true); },
        {.summary = "Admin: limits a staff member to this schedule (and others assigned)",
         .operation_id = "assignScheduleStaff",
         .contract = contracts::assign_staff(true)}));
    ADMIT_TRY(host.route("DELETE", "/api/v1/admin/schedules/{scheduleId}/staff/{userId}", "admin",
                         [this](const Request& r) { return assign_staff(r, false); },
                         {.summary = "Admin: removes a staff member's assignment to this schedule",
                          .operation_id = "unassignScheduleStaff",
                          .contract = contracts::assign_staff(false)}));
    ADMIT_TRY(host.route("GET", "/api/v1/admin/schedules/{scheduleId}/staff", "admin",
                         &TicketPlugin::list_staff, this,
                         {.summary = "Admin: staff assigned to this schedule",
                          .operation_id = "listScheduleStaff",
                          .contract = contracts::list_staff()}));
    return host.route("GET", "/api/v1/admin/checkin/conflicts", "admin",
                      &TicketPlugin::list_conflicts, this,
                      {.summary = "Admin: offline admissions the server could not honour",
                       .operation_id = "listCheckinConflicts",
                       .contract = contracts::list_conflicts()});
}

namespace {
/// The scan of a POST /checkin or /checkin/exit body, or the 400 answer.
sdk::Result<OnlineScan> scan_of(const Request& request) {
    auto body = request.json_object();
    if (!body) return std::move(body).error();
    OnlineScan scan;
    auto code = fields::required_string(*body, "code");
    if (!code) return std::move(code).error();
    if (code->size() > 1000) return sdk::Error::invalid("field 'code' is too long");
    scan.code = std::move(*code);
    for (auto [field, target] : {std::pair{"gate", &scan.gate}, std::pair{"nonce", &scan.nonce},
                                 std::pair{"scheduleId", &scan.schedule_id}}) {
        auto value = fields::optional_string(*body, field);
        if (!value) return std::move(value).error();
        if (value->value_or("").size() > 64)
            return sdk::Error::invalid("field '" + std::string(field) +
                                       "' must be at most 64 bytes");
        *target = value->value_or("");
    }
    const auto principal = request.principal();
    scan.staff_id = std::string(principal.subject());
    scan.limited_to_assignments = !principal.has_role("admin");
    return scan;
}
}  // namespace

Response TicketPlugin::check_in(const Request& request) {
    auto scan = scan_of(request);
    if (!scan) return Response::from_error(scan.error());
    auto result = checkins_->check_in(*scan);
    if (!result) return Response::from_error(result.error());
    return answer(request, std::move(*result));
}

Response TicketPlugin::check_out(const Request& request) {
    auto scan = scan_of(request);
    if (!scan) return Response::from_error(scan.error());
    auto result = checkins_->check_out(*scan);
    if (!result) return Response::from_error(result.error());
    return answer(request, std::move(*result));
}

Response TicketPlugin::check_in_batch(const Request& request) {
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    const auto* scans = body->if_contains("scans");
    if (scans == nullptr || !scans->is_array())
        return Response::invalid_request("field 'scans' must be an array");
    const auto principal = request.principal();
    auto result = checkins_->upload(scans->as_array(), std::string(principal.subject()),
                                    !principal.has_role("admin"));
    if (!result) return Response::from_error(result.error());
    return answer(request, std::move(*result));
}

Response TicketPlugin::gate_kit(const Request& request) {
    const std::string schedule(request.param("scheduleId"));
    if (bad_id(schedule)) return Response::invalid_request("scheduleId is invalid");
    const auto principal = request.principal();
    if (!principal.has_role("admin")) {
        auto allowed = checkins_->may_scan(std::string(principal.subject()), schedule);
        if (!allowed) return Response::from_error(allowed.error());
        if (!*allowed)
            return Response::error(403, "FORBIDDEN",
                                   "you are not assigned to schedule " + schedule);
    }
    const auto vouch = request.query("vouch").value_or("false");
    if (vouch != "true" && vouch != "false")
        return Response::invalid_request("query parameter 'vouch' must be true or false");
    auto kit = kits_->full_kit(schedule, vouch == "true");
    if (!kit) return Response::from_error(kit.error());
    // The schedule's rule for a gate without a name: what an offline gate applies to its journal.
    auto rule = rules_->rule_for(schedule, "");
    if (!rule) return Response::from_error(rule.error());
    kit->static_codes_allowed = kit->static_codes_allowed && rule->allow_static_code;
    kit->reentry = std::string(reentry_name(rule->reentry));
    kit->utc_offset_minutes = rule->utc_offset_minutes;
    kit->day_starts_at_hour = rule->day_starts_at_hour;
    auto response = Response::json(200, gate_kit_json(*kit));
    response.header("Cache-Control", "private, no-store");
    return response;
}

Response TicketPlugin::schedule_tickets(const Request& request) {
    const std::string schedule(request.param("scheduleId"));
    if (bad_id(schedule)) return Response::invalid_request("scheduleId is invalid");
    auto limit = sdk::page_limit(request);
    if (!limit) return Response::from_error(limit.error());
    const std::string cursor = request.query("cursor").value_or("");
    const std::string status = request.query("status").value_or("");
    if (cursor.size() > 100)
        return Response::invalid_request("query parameter 'cursor' is invalid");
    if (!status.empty() && status != "ISSUED" && status != "USED" && status != "CANCELLED" &&
        status != "EXPIRED")
        return Response::invalid_request(
            "query parameter 'status' must be ISSUED, USED, CANCELLED or EXPIRED");
    auto facts = schedules_->find(schedule);
    if (!facts) return Response::from_error(facts.error());
    const auto principal = request.principal();
    // A seller sees only the schedules of their own products; anything else is 404.
    if (!*facts || (!principal.has_role("admin") && (*facts)->seller_id != principal.subject()))
        return Response::error(404, "NOT_FOUND", "no tickets for schedule " + schedule);
    auto counts = store_->counts(schedule);
    if (!counts) return Response::from_error(counts.error());
    auto rows = store_->list_for_schedule(schedule, status, *limit + 1, cursor);
    if (!rows) return Response::from_error(rows.error());
    const bool more = static_cast<int64_t>(rows->size()) > *limit;
    if (more) rows->pop_back();
    boost::json::array items;
    for (const auto& row : *rows) items.push_back(staff_ticket_json(row));
    boost::json::object count_json;
    int64_t total = 0;
    for (const auto& [name, n] : *counts) {
        count_json[name] = n;
        total += n;
    }
    count_json["total"] = total;
    boost::json::value next =
        more ? boost::json::value(rows->back().id) : boost::json::value(nullptr);
    return Response::json(200, {{"scheduleId", schedule},
                                {"title", (*facts)->title},
                                {"counts", std::move(count_json)},
                                {"items", std::move(items)},
                                {"nextCursor", std::move(next)}});
}

Response TicketPlugin::assign_staff(const Request& request, bool assign) {
    const std::string schedule(request.param("scheduleId"));
    const std::string user(request.param("userId"));
    if (bad_id(schedule) || bad_id(user))
        return Response::invalid_request("scheduleId and userId must be 1..100 characters");
    const std::string actor(request.principal().subject());
    uint64_t changed = 0;
    // The change and its event (ticket.staff_assigned / ticket.staff_unassigned: the audit log
    // follows admin actions through events) commit together; a repeated PUT changes nothing and
    // publishes nothing.
    auto status = host_->db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = assign ? tx.exec(
                                 "INSERT INTO ticket.staff_schedules (user_id, schedule_id, "
                                 "assigned_by, assigned_at) VALUES ($1, $2, $3, timestamptz "
                                 "'epoch' + $4::bigint * interval '1 microsecond') ON "
                                 "CONFLICT DO NOTHING",
                                 user, schedule, actor, host_->now_us())
                           : tx.exec(
                                 "DELETE FROM ticket.staff_schedules WHERE user_id = $1 AND "
                                 "schedule_id = $2",
                                 user, schedule);
        if (!rows) return std::move(rows).error();
        changed = rows->affected;
        if (changed == 0) return {};
        return tx.publish(assign ? "ticket.staff_assigned" : "ticket.staff_unassigned", schedule,
                          {{"scheduleId", schedule}, {"userId", user}, {"actor", actor}}, actor);
    });
    if (!status) return Response::from_error(status.error());
    if (!assign && changed == 0)
        return Response::error(404, "NOT_FOUND", user + " is not assigned to " + schedule);
    return Response::json(200, {{"scheduleId", schedule}, {"userId", user}, {"assigned", assign}});
}

Response TicketPlugin::list_staff(const Request& request) {
    const std::string schedule(request.param("scheduleId"));
    auto rows = host_->db().exec(
        "SELECT user_id FROM ticket.staff_schedules WHERE schedule_id = $1 ORDER BY user_id",
        schedule);
    if (!rows) return Response::from_error(rows.error());
    boost::json::array staff;
    for (const auto& row : *rows) staff.emplace_back(row.text("user_id"));
    return Response::json(200, {{"scheduleId", schedule}, {"staff", std::move(staff)}});
}

Response TicketPlugin::list_conflicts(const Request& request) {
    auto limit = sdk::page_limit(request);
    if (!limit) return Response::from_error(limit.error());
    const std::string cursor = request.query("cursor").value_or("");
    const std::string schedule = request.query("scheduleId").value_or("");
    if (cursor.size() > 100 || schedule.size() > kMaxId)
        return Response::invalid_request("query parameter 'cursor' or 'scheduleId' is invalid");
    auto rows = host_->db().exec(
        "SELECT id, ticket_id, schedule_id, kind, nonce, gate, reason, first_gate, "
        "(extract(epoch FROM scanned_at) * 1000000)::bigint AS scanned_us, "
        "(extract(epoch FROM first_at) * 1000000)::bigint AS first_us "
        "FROM ticket.checkin_conflicts WHERE ($1 = '' OR schedule_id = $1) AND id > $2 "
        "ORDER BY id LIMIT $3",
        schedule, cursor, *limit + 1);
    if (!rows) return Response::from_error(rows.error());
    boost::json::array items;
    std::string last;
    for (const auto& row : *rows) {
        if (static_cast<int64_t>(items.size()) == *limit) break;
        auto nullable = [&row](std::string_view column) {
            return row.is_null(column) ? boost::json::value(nullptr)
                                       : boost::json::value(row.text(column));
        };
        boost::json::object item{
            {"conflictId", row.text("id")},
            {"ticketId", nullable("ticket_id")},
            {"scheduleId", nullable("schedule_id")},
            {"kind", row.text("kind")},
            {"nonce", row.text("nonce")},
            {"gate", nullable("gate")},
            {"reason", nullable("reason")},
            {"firstGate", nullable("first_gate")},
            {"scannedAt", sdk::format_rfc3339(row.int64("scanned_us").value_or(0), true)}};
        item["firstAt"] =
            row.is_null("first_us")
                ? boost::json::value(nullptr)
                : boost::json::value(sdk::format_rfc3339(*row.int64("first_us"), true));
        last = row.text("id");
        items.push_back(std::move(item));
    }
    const bool more = static_cast<int64_t>(rows->size()) > *limit;
    return Response::json(
        200, {{"items", std::move(items)},
              {"nextCursor", more ? boost::json::value(last) : boost::json::value(nullptr)}});
}

}  // namespace admit::ticket

#include "ticket_issuer.hpp"

#include "code_minter.hpp"
#include "sql_text.hpp"

#include <admit/sdk/time_text.hpp>

#include <map>

namespace admit::ticket {

namespace {
namespace fields = sdk::fields;

struct Place {
    std::string seat_id, seat_label, grade_id, grade_name;
};

/// seatId -> label/grade and gradeId -> name, from a sale context.
struct ContextPlaces {
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> seats;
    std::map<std::string, std::string, std::less<>> grades;
};

ContextPlaces places_of(const boost::json::value& context) {
    ContextPlaces places;
    if (!context.is_object()) return places;
    const auto& object = context.as_object();
    auto text = [](const boost::json::object& o, std::string_view key) {
        const auto* v = o.if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string{};
    };
    if (const auto* grades = object.if_contains("grades"); grades && grades->is_array()) {
        for (const auto& grade : grades->as_array()) {
            if (grade.is_object())
                places.grades[text(grade.as_object(), "gradeId")] = text(grade.as_object(), "name");
        }
    }
    if (const auto* seats = object.if_contains("seats"); seats && seats->is_array()) {
        for (const auto& seat : seats->as_array()) {
            if (!seat.is_object()) continue;
            places.seats[text(seat.as_object(), "seatId")] = {text(seat.as_object(), "label"),
                                                              text(seat.as_object(), "gradeId")};
        }
    }
    return places;
}

std::string returning() { return " RETURNING " + ticket_columns(); }
}  // namespace

boost::json::object ticket_event(const TicketRow& row) {
    boost::json::object event{{"ticketId", row.id},
                              {"reservationId", row.reservation_id},
                              {"scheduleId", row.schedule_id},
                              {"productId", row.product_id},
                              {"userId", row.user_id},
                              {"issue", row.issue}};
    if (!row.seat_id.empty()) {
        event["seatId"] = row.seat_id;
        event["seatLabel"] = row.seat_label;
    }
    if (!row.grade_id.empty()) event["gradeId"] = row.grade_id;
    return event;
}

sdk::Status TicketIssuer::lock_reservation(sdk::Tx& tx, const std::string& reservation_id) {
    auto locked =
        tx.exec("SELECT pg_advisory_xact_lock(hashtextextended('ticket.reservation:' || $1, 0))",
                reservation_id);
    if (!locked) return std::move(locked).error();
    return {};
}

sdk::Result<std::size_t> TicketIssuer::issue_confirmed(sdk::Tx& tx,
                                                       const boost::json::object& event) {
    std::string reservation_id, schedule_id, user_id;
    ADMIT_TRY_ASSIGN(reservation_id, fields::required_string(event, "reservationId"));
    ADMIT_TRY_ASSIGN(schedule_id, fields::required_string(event, "scheduleId"));
    ADMIT_TRY_ASSIGN(user_id, fields::required_string(event, "userId"));
    std::optional<std::string> grade_id;
    ADMIT_TRY_ASSIGN(grade_id, fields::optional_string(event, "gradeId"));
    std::vector<std::string> seat_ids;
    if (const auto* seats = event.if_contains("seatIds"); seats && seats->is_array()) {
        for (const auto& seat : seats->as_array())
            if (seat.is_string()) seat_ids.emplace_back(seat.as_string());
    }
    std::optional<int64_t> quantity;
    ADMIT_TRY_ASSIGN(quantity, fields::optional_int(event, "quantity", 1, 100000));
    // The policy revisions that decided the reservation (absent from older events: none).
    const auto* revisions = event.if_contains("policyRevisions");
    const std::string policy_revisions = revisions != nullptr && revisions->is_object()
                                             ? boost::json::serialize(*revisions)
                                             : std::string("{}");

    // Serialize with a cancellation of the same reservation handled at the same time (below),
    // then honour one that was handled first: its tickets are born CANCELLED.
    ADMIT_TRY(lock_reservation(tx, reservation_id));
    auto tombstone =
        tx.exec("SELECT reason FROM ticket.cancelled_reservations WHERE reservation_id = $1",
                reservation_id);
    if (!tombstone) return std::move(tombstone).error();
    const std::string cancelled_reason =
        tombstone->empty() ? std::string() : tombstone->front().text("reason");

    // The host delivers events only after start() loaded the keys; a failed load leaves none.
    if (!keys_.loaded()) return sdk::Error::unavailable("ticket signing keys are not loaded");
    auto context = host_.call("product.sale_context", {{"scheduleId", schedule_id}});
    if (!context) return std::move(context).error();  // retried later
    ScheduleFacts facts;
    ADMIT_TRY_ASSIGN(facts, facts_from_sale_context(*context, schedules_.timing()));
    ADMIT_TRY(schedules_.store(tx, facts));
    // The stored row wins (first seen); a cancelled product's tickets are born cancelled.
    auto known = tx.exec("SELECT cancelled, " + sql_micros("valid_from", "valid_from_us") + ", " +
                             sql_micros("valid_until", "valid_until_us") +
                             " FROM ticket.schedules WHERE schedule_id = $1",
                         schedule_id);
    if (!known) return std::move(known).error();
    bool cancelled = facts.cancelled;
    if (!known->empty()) {
        const auto row = known->front();
        cancelled = cancelled || row.boolean("cancelled").value_or(false);
        facts.valid_from_us = row.int64("valid_from_us").value_or(facts.valid_from_us);
        facts.valid_until_us = row.int64("valid_until_us").value_or(facts.valid_until_us);
    }
    const auto places = places_of(*context);

    std::vector<std::pair<std::string, Place>> units;  // unit key -> place
    if (!seat_ids.empty()) {
        for (const auto& seat : seat_ids) {
            Place place{seat, seat, "", ""};
            if (auto found = places.seats.find(seat); found != places.seats.end()) {
                if (!found->second.first.empty()) place.seat_label = found->second.first;
                place.grade_id = found->second.second;
            }
            if (auto g = places.grades.find(place.grade_id); g != places.grades.end())
                place.grade_name = g->second;
            units.emplace_back(seat, std::move(place));
        }
    } else if (grade_id && quantity) {
        std::string name = *grade_id;
        if (auto g = places.grades.find(*grade_id); g != places.grades.end() && !g->second.empty())
            name = g->second;
        for (int64_t n = 1; n <= *quantity; ++n)
            units.emplace_back(*grade_id + "#" + std::to_string(n), Place{"", "", *grade_id, name});
    } else {
        return sdk::Error::invalid("reservation.confirmed " + reservation_id +
                                   " has neither seatIds nor gradeId and quantity");
    }

    const int64_t now = host_.now_us();
    boost::json::array rows;
    for (const auto& [unit_key, place] : units) {
        const std::string id = sdk::new_id("tkt");
        TicketFace face{id,
                        schedule_id,
                        place.seat_id.empty() ? PlaceKind::grade : PlaceKind::seat,
                        place.seat_id.empty() ? place.grade_name : place.seat_label,
                        0,
                        facts.valid_from_us,
                        facts.valid_until_us};
        MintedCodes codes;
        ADMIT_TRY_ASSIGN(codes, mint_codes(keys_.signer(), face));
        boost::json::object row{{"id", id},
                                {"unit_key", unit_key},
                                {"kid", codes.kid},
                                {"signed_ticket", codes.signed_ticket},
                                {"ticket_seed", codes.ticket_seed},
                                {"static_code", codes.static_code}};
        row["seat_id"] =
            place.seat_id.empty() ? boost::json::value(nullptr) : boost::json::value(place.seat_id);
        row["seat_label"] = place.seat_id.empty() ? boost::json::value(nullptr)
                                                  : boost::json::value(place.seat_label);
        row["grade_id"] = place.grade_id.empty() ? boost::json::value(nullptr)
                                                 : boost::json::value(place.grade_id);
        row["grade_name"] = place.grade_name.empty() ? boost::json::value(nullptr)
                                                     : boost::json::value(place.grade_name);
        rows.push_back(std::move(row));
    }
    auto inserted = tx.exec(
        "INSERT INTO ticket.tickets AS t (id, reservation_id, unit_key, schedule_id, product_id, "
        "user_id, seat_id, seat_label, grade_id, grade_name, status, status_reason, issue, kid, "
        "signed_ticket, ticket_seed, static_code, valid_from, valid_until, created_at, "
        "updated_at, policy_revisions) "
        "SELECT x.id, $2, x.unit_key, $3, $4, $5, x.seat_id, x.seat_label, x.grade_id, "
        "x.grade_name, CASE WHEN $6 OR $11 <> '' THEN 'CANCELLED' ELSE 'ISSUED' END, "
        "CASE WHEN $11 <> '' THEN $11 WHEN $6 THEN 'PRODUCT_CANCELLED' END, 0, x.kid, "
        "x.signed_ticket, x.ticket_seed, "
        "x.static_code, " +
            sql_time(7) + ", " + sql_time(8) + ", " + sql_time(9) + ", " + sql_time(9) +
            ", $10::jsonb FROM jsonb_to_recordset($1::jsonb) AS x(id text, unit_key text, kid "
            "text, "
            "signed_ticket text, ticket_seed text, static_code text, seat_id text, seat_label "
            "text, grade_id text, grade_name text) "
            "ON CONFLICT (reservation_id, unit_key) DO NOTHING" +
            returning(),
        boost::json::serialize(rows), reservation_id, schedule_id, facts.product_id, user_id,
        cancelled, facts.valid_from_us, facts.valid_until_us, now, policy_revisions,
        cancelled_reason);
    if (!inserted) return std::move(inserted).error();
    const auto issued = parse_tickets(*inserted);
    for (const auto& row : issued) {
        // A ticket born cancelled is recorded, never announced: the buyer is not told "your
        // ticket" for an order that was cancelled or a product that was called off.
        if (row.status != "ISSUED") continue;
        auto payload = ticket_event(row);
        payload["kid"] = row.kid;
        payload["status"] = row.status;
        ADMIT_TRY(tx.publish("ticket.issued", row.schedule_id, std::move(payload), "system"));
    }
    return issued.size();
}

sdk::Result<std::optional<TicketRow>> TicketIssuer::reissue(const std::string& ticket_id,
                                                            const std::string& owner,
                                                            Refusal& refusal) {
    std::optional<TicketRow> result;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "SELECT " + ticket_columns() + " FROM ticket.tickets t WHERE t.id = $1 FOR UPDATE",
            ticket_id);
        if (!rows) return std::move(rows).error();
        auto found = parse_tickets(*rows);
        if (found.empty() || found.front().user_id != owner) {
            refusal = {404, "NOT_FOUND", "no ticket " + ticket_id};
            return {};
        }
        const auto& current = found.front();
        if (current.status != "ISSUED") {
            refusal = {409, "INVALID_STATE",
                       "ticket " + ticket_id + " is " + current.status + ", not ISSUED"};
            return {};
        }
        if (current.issue >= 255) {
            refusal = {409, "REISSUE_LIMIT", "ticket " + ticket_id + " was reissued 255 times"};
            return {};
        }
        TicketFace face{current.id,
                        current.schedule_id,
                        current.seat_id.empty() ? PlaceKind::grade : PlaceKind::seat,
                        current.seat_id.empty() ? current.grade_name : current.seat_label,
                        current.issue + 1,
                        current.valid_from_us,
                        current.valid_until_us};
        MintedCodes codes;
        ADMIT_TRY_ASSIGN(codes, mint_codes(keys_.signer(), face));
        auto updated = tx.exec(
            "UPDATE ticket.tickets t SET issue = t.issue + 1, kid = $3, signed_ticket = $4, "
            "ticket_seed = $5, static_code = $6, updated_at = " +
                sql_time(7) + " WHERE t.id = $1 AND t.issue = $2 AND t.status = 'ISSUED'" +
                returning(),
            ticket_id, current.issue, codes.kid, codes.signed_ticket, codes.ticket_seed,
            codes.static_code, host_.now_us());
        if (!updated) return std::move(updated).error();
        auto changed = parse_tickets(*updated);
        if (changed.empty()) return sdk::Error::conflict("ticket " + ticket_id + " changed");
        auto event = ticket_event(changed.front());
        event["previousIssue"] = current.issue;
        event["kid"] = changed.front().kid;
        ADMIT_TRY(tx.publish("ticket.reissued", current.schedule_id, std::move(event), owner));
        result = std::move(changed.front());
        return {};
    });
    if (!status) return status.error();
    return result;
}

sdk::Status TicketIssuer::publish_cancelled(sdk::Tx& tx, const std::vector<TicketRow>& rows,
                                            const std::string& actor) {
    for (const auto& row : rows) {
        auto event = ticket_event(row);
        event["reason"] = row.status_reason;
        ADMIT_TRY(tx.publish("ticket.cancelled", row.schedule_id, std::move(event), actor));
    }
    return {};
}

sdk::Status TicketIssuer::cancel_reservation(sdk::Tx& tx, const std::string& reservation_id,
                                             const std::string& reason, const std::string& actor) {
    // reservation.cancelled follows reservation.confirmed, but the two reach this plugin through
    // separate subscriptions, so the cancellation may be handled before the tickets are issued
    // (after a crash or a PostgreSQL restart the confirmation can be retried for longer than any
    // retry budget of the cancellation). So the cancellation is recorded, and an issue that
    // comes later finds the record and issues its tickets born CANCELLED. The advisory lock
    // serializes the two: whichever commits second sees the first (READ COMMITTED: each
    // statement after the lock reads what committed before it was granted).
    ADMIT_TRY(lock_reservation(tx, reservation_id));
    auto recorded = tx.exec(
        "INSERT INTO ticket.cancelled_reservations (reservation_id, reason, actor, "
        "cancelled_at) VALUES ($1, $2, $3, " +
            sql_time(4) + ") ON CONFLICT (reservation_id) DO NOTHING",
        reservation_id, reason, actor, host_.now_us());
    if (!recorded) return std::move(recorded).error();
    // ISSUED tickets, and those the refund guard voided ahead of this cancellation, take its
    // reason; both are announced now.
    auto rows = tx.exec(
        "UPDATE ticket.tickets t SET status = 'CANCELLED', status_reason = $2, "
        "updated_at = " +
            sql_time(3) +
            " WHERE t.reservation_id = $1 AND (t.status = 'ISSUED' OR (t.status = 'CANCELLED' "
            "AND t.status_reason = 'CANCEL_REQUESTED'))" +
            returning(),
        reservation_id, reason, host_.now_us());
    if (!rows) return std::move(rows).error();
    auto settled =
        tx.exec("DELETE FROM ticket.pending_voids WHERE reservation_id = $1", reservation_id);
    if (!settled) return std::move(settled).error();
    return publish_cancelled(tx, parse_tickets(*rows), actor);
}

sdk::Result<std::size_t> TicketIssuer::void_for_cancel(const std::string& reservation_id,
                                                       const std::string& actor, Refusal& refusal) {
    std::size_t voided = 0;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        ADMIT_TRY(lock_reservation(tx, reservation_id));  // ordered with restore_voided
        // FOR UPDATE: a concurrent check-in (a conditional UPDATE of the same rows) waits for
        // this transaction, then finds the ticket CANCELLED and admits nothing.
        auto used = tx.exec(
            "SELECT id, status, used_gate, to_char(used_at AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS used_at FROM ticket.tickets WHERE "
            "reservation_id = $1 ORDER BY id FOR UPDATE",
            reservation_id);
        if (!used) return std::move(used).error();
        for (const auto& row : *used) {
            if (row.text("status") != "USED") continue;
            refusal = Refusal{409, "TICKET_USED",
                              "ticket " + row.text("id") + " was admitted at gate '" +
                                  row.text("used_gate") + "' at " + row.text("used_at") +
                                  "; an admitted ticket is not refunded"};
            return {};
        }
        auto rows = tx.exec(
            "UPDATE ticket.tickets t SET status = 'CANCELLED', status_reason = "
            "'CANCEL_REQUESTED', updated_at = " +
                sql_time(2) + " WHERE t.reservation_id = $1 AND t.status = 'ISSUED'" + returning(),
            reservation_id, host_.now_us());
        if (!rows) return std::move(rows).error();
        voided = parse_tickets(*rows).size();
        if (voided == 0) return {};
        // Announced when reservation.cancelled settles it (cancel_reservation), or given back
        // when the reservation was never cancelled (restore_voided).
        auto pending = tx.exec(
            "INSERT INTO ticket.pending_voids (reservation_id, actor, voided_at) VALUES ($1, $2, " +
                sql_time(3) +
                ") ON CONFLICT (reservation_id) DO UPDATE SET actor = EXCLUDED.actor, "
                "voided_at = EXCLUDED.voided_at",
            reservation_id, actor, host_.now_us());
        if (!pending) return std::move(pending).error();
        return {};
    });
    if (!status) return status.error();
    return voided;
}

sdk::Result<std::size_t> TicketIssuer::restore_voided(const std::string& reservation_id,
                                                      int64_t voided_before_us) {
    std::size_t restored = 0;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        restored = 0;
        ADMIT_TRY(lock_reservation(tx, reservation_id));
        // Re-read under the lock: settled by reservation.cancelled, or voided again by a newer
        // cancellation attempt, since the caller looked.
        auto pending = tx.exec(
            "SELECT 1 FROM ticket.pending_voids WHERE reservation_id = $1 AND "
            "voided_at < " +
                sql_time(2),
            reservation_id, voided_before_us);
        if (!pending) return std::move(pending).error();
        if (pending->empty()) return {};
        auto tombstone =
            tx.exec("SELECT 1 FROM ticket.cancelled_reservations WHERE reservation_id = $1",
                    reservation_id);
        if (!tombstone) return std::move(tombstone).error();
        if (tombstone->empty()) {
            auto rows = tx.exec(
                "UPDATE ticket.tickets t SET status = 'ISSUED', status_reason = NULL, "
                "updated_at = " +
                    sql_time(2) +
                    " WHERE t.reservation_id = $1 AND t.status = 'CANCELLED' AND "
                    "t.status_reason = 'CANCEL_REQUESTED'" +
                    returning(),
                reservation_id, host_.now_us());
            if (!rows) return std::move(rows).error();
            restored = parse_tickets(*rows).size();
        }
        auto cleared =
            tx.exec("DELETE FROM ticket.pending_voids WHERE reservation_id = $1", reservation_id);
        if (!cleared) return std::move(cleared).error();
        return {};
    });
    if (!status) return status.error();
    return restored;
}

sdk::Status TicketIssuer::cancel_schedules(sdk::Tx& tx,
                                           const std::vector<std::string>& schedule_ids,
                                           const std::string& actor) {
    boost::json::array ids;
    for (const auto& id : schedule_ids) ids.emplace_back(id);
    const std::string ids_json = boost::json::serialize(ids);
    ADMIT_TRY(schedules_.mark_cancelled(tx, ids_json));
    auto rows = tx.exec(
        "UPDATE ticket.tickets t SET status = 'CANCELLED', status_reason = 'PRODUCT_CANCELLED', "
        "updated_at = " +
            sql_time(2) +
            " WHERE t.schedule_id IN (SELECT jsonb_array_elements_text($1::jsonb)) "
            "AND t.status = 'ISSUED'" +
            returning(),
        ids_json, host_.now_us());
    if (!rows) return std::move(rows).error();
    return publish_cancelled(tx, parse_tickets(*rows), actor);
}

sdk::Result<std::size_t> TicketIssuer::expire_due(std::size_t limit) {
    std::size_t expired = 0;
    const int64_t now = host_.now_us();
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        // `live` tickets past their window (tickets_due, 006_hot_checkin.sql): an ISSUED one
        // becomes EXPIRED (announced); a USED one keeps its status and only leaves the index
        // (expiry_done), so later passes never look at it again. Only the expired are returned.
        auto rows = tx.exec(
            "WITH due AS (SELECT id AS due_id FROM ticket.tickets WHERE live AND valid_until < " +
                sql_time(1) +
                " ORDER BY valid_until LIMIT $2 FOR UPDATE SKIP LOCKED), "
                "done AS (UPDATE ticket.tickets t SET expiry_done = true, status = CASE WHEN "
                "t.status = 'ISSUED' THEN 'EXPIRED' ELSE t.status END, status_reason = CASE "
                "WHEN t.status = 'ISSUED' THEN 'ENDED' ELSE t.status_reason END, updated_at = " +
                sql_time(1) +
                " FROM due WHERE t.id = due.due_id AND t.live RETURNING t.*) SELECT " +
                ticket_columns() + " FROM done t WHERE t.status = 'EXPIRED'",
            now, static_cast<int64_t>(limit));
        if (!rows) return std::move(rows).error();
        const auto changed = parse_tickets(*rows);
        for (const auto& row : changed)
            ADMIT_TRY(tx.publish("ticket.expired", row.schedule_id, ticket_event(row), "system"));
        expired = changed.size();
        return {};
    });
    if (!status) return status.error();
    return expired;
}

}  // namespace admit::ticket

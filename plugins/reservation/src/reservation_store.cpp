#include "reservation_store.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::reservation {

const std::string_view reservation_columns =
    "id, user_id, schedule_id, product_id, seating, grade_id, quantity, "
    "array_to_json(claim_ids)::text AS claim_ids, items::text AS items, status, status_reason, "
    "fencing_token, "
    "idempotency_key, (extract(epoch FROM expires_at) * 1000000)::bigint AS expires_us, "
    "(extract(epoch FROM starts_at) * 1000000)::bigint AS starts_us, subtotal, fees, total, "
    "currency, refund, "
    "payment_id, policy_revisions::text AS policy_revisions, "
    "(extract(epoch FROM created_at) * 1000000)::bigint AS created_us, "
    "(extract(epoch FROM payment_hold_until) * 1000000)::bigint AS payment_hold_us";

namespace {
boost::json::value json_or_null(const std::string& text) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    return ec ? boost::json::value{} : value;
}
}  // namespace

std::vector<ReservationRow> parse_rows(const sdk::Rows& rows) {
    std::vector<ReservationRow> out;
    out.reserve(rows.size());
    const bool has_payment_hold = rows.find_column("payment_hold_us").has_value();
    for (const auto& row : rows) {
        ReservationRow r;
        r.id = row.text("id");
        r.user_id = row.text("user_id");
        r.schedule_id = row.text("schedule_id");
        r.product_id = row.text("product_id");
        r.general_admission = row.text("seating") == "GENERAL_ADMISSION";
        r.grade_id = row.text("grade_id");
        r.quantity = row.int64("quantity").value_or(0);
        const auto claims = json_or_null(row.text("claim_ids", "[]"));
        if (claims.is_array()) {
            for (const auto& claim : claims.as_array()) {
                if (claim.is_string()) r.claim_ids.emplace_back(claim.as_string());
            }
        }
        r.items = json_or_null(row.text("items", "[]"));
        r.status = row.text("status");
        r.status_reason = row.text("status_reason");
        r.fencing_token = row.int64("fencing_token").value_or(0);
        r.idempotency_key = row.text("idempotency_key");
        r.expires_us = row.int64("expires_us").value_or(0);
        r.starts_us = row.int64("starts_us");
        r.subtotal = row.int64("subtotal").value_or(0);
        r.fees = row.int64("fees").value_or(0);
        r.total = row.int64("total").value_or(0);
        r.currency = row.text("currency");
        r.refund = row.int64("refund");
        r.payment_id = row.text("payment_id");
        r.policy_revisions = json_or_null(row.text("policy_revisions", "{}"));
        r.created_us = row.int64("created_us").value_or(0);
        if (has_payment_hold) r.payment_hold_us = row.int64("payment_hold_us");
        out.push_back(std::move(r));
    }
    return out;
}

boost::json::object money(int64_t amount, const std::string& currency) {
    return {{"amount", amount}, {"currency", currency}};
}

boost::json::object reservation_json(const ReservationRow& row) {
    boost::json::array seat_ids;
    for (const auto& seat : row.seat_ids()) seat_ids.emplace_back(seat);
    boost::json::object body{
        {"reservationId", row.id},
        {"status", row.status},
        {"scheduleId", row.schedule_id},
        {"productId", row.product_id},
        {"userId", row.user_id},
        {"seating", row.general_admission ? "GENERAL_ADMISSION" : "RESERVED"},
        {"seatIds", std::move(seat_ids)},
        {"seats", row.items},
        {"quantity", row.quantity},
        {"expiresAt", sdk::format_rfc3339(row.expires_us, /*with_millis=*/true)},
        {"price",
         {{"subtotal", money(row.subtotal, row.currency)},
          {"fees", money(row.fees, row.currency)},
          {"total", money(row.total, row.currency)}}},
        {"policyRevision", row.policy_revisions},
        {"createdAt", sdk::format_rfc3339(row.created_us, /*with_millis=*/true)},
    };
    if (!row.grade_id.empty()) body["gradeId"] = row.grade_id;
    if (!row.status_reason.empty()) body["statusReason"] = row.status_reason;
    if (!row.payment_id.empty()) body["paymentId"] = row.payment_id;
    if (row.payment_hold_us)
        body["paymentHoldUntil"] = sdk::format_rfc3339(*row.payment_hold_us, /*with_millis=*/true);
    if (row.refund) body["refund"] = money(*row.refund, row.currency);
    return body;
}

sdk::Result<std::optional<ReservationRow>> ReservationStore::find(const std::string& id) {
    auto rows = db_.exec("SELECT " + std::string(reservation_columns) +
                             " FROM reservation.reservations WHERE id = $1",
                         id);
    if (!rows) return std::move(rows).error();
    auto parsed = parse_rows(*rows);
    if (parsed.empty()) return std::optional<ReservationRow>{};
    return std::optional<ReservationRow>(std::move(parsed.front()));
}

sdk::Result<std::optional<ReservationRow>> ReservationStore::find_by_idempotency_key(
    const std::string& user_id, const std::string& key) {
    auto rows =
        db_.exec("SELECT " + std::string(reservation_columns) +
                     " FROM reservation.reservations WHERE user_id = $1 AND idempotency_key = $2",
                 user_id, key);
    if (!rows) return std::move(rows).error();
    auto parsed = parse_rows(*rows);
    if (parsed.empty()) return std::optional<ReservationRow>{};
    return std::optional<ReservationRow>(std::move(parsed.front()));
}

sdk::Result<std::vector<ReservationRow>> ReservationStore::list_for_user(const std::string& user_id,
                                                                         int64_t limit,
                                                                         const std::string& after) {
    const std::string sql =
        "SELECT " + std::string(reservation_columns) +
        " FROM reservation.reservations WHERE user_id = $1"
        " AND ($3 = '' OR (created_at, id) < (SELECT created_at, id FROM reservation.reservations"
        "                                      WHERE id = $3 AND user_id = $1))"
        " ORDER BY created_at DESC, id DESC LIMIT $2";
    auto rows = db_.exec(sql, user_id, limit, after);
    if (!rows) return std::move(rows).error();
    return parse_rows(*rows);
}

sdk::Result<int64_t> ReservationStore::bump_epoch() {
    auto rows = db_.exec("UPDATE reservation.fencing_epoch SET epoch = epoch + 1 RETURNING epoch");
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return sdk::Error::internal("reservation.fencing_epoch has no row");
    return rows->front().int64("epoch").value_or(0);
}

sdk::Result<std::vector<ReservationStore::LiveClaim>> ReservationStore::live_claims(
    const std::string& schedule_id) {
    auto rows = db_.exec(
        "SELECT c.claim_id, c.reservation_id, c.status, r.grade_id, "
        "(extract(epoch FROM r.expires_at) * 1000000)::bigint AS expires_us "
        "FROM reservation.claims c JOIN reservation.reservations r ON r.id = c.reservation_id "
        "WHERE c.schedule_id = $1",
        schedule_id);
    if (!rows) return std::move(rows).error();
    std::vector<LiveClaim> out;
    for (const auto& row : *rows) {
        out.push_back({row.text("claim_id"), row.text("reservation_id"),
                       row.text("status") == "SOLD", row.text("grade_id"),
                       row.int64("expires_us").value_or(0)});
    }
    return out;
}

sdk::Result<std::vector<std::pair<std::string, int64_t>>> ReservationStore::owned_per_user(
    const std::string& schedule_id) {
    auto rows = db_.exec(
        "SELECT user_id, sum(quantity)::bigint AS owned FROM reservation.reservations "
        "WHERE schedule_id = $1 AND status IN ('PENDING_PAYMENT', 'CONFIRMED') GROUP BY user_id",
        schedule_id);
    if (!rows) return std::move(rows).error();
    std::vector<std::pair<std::string, int64_t>> out;
    for (const auto& row : *rows)
        out.emplace_back(row.text("user_id"), row.int64("owned").value_or(0));
    return out;
}

}  // namespace admit::reservation

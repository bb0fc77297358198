#include "lifecycle_service.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::reservation {

namespace {
std::string returning() { return " RETURNING " + std::string(reservation_columns); }

boost::json::array claim_ids_json(const std::vector<ReservationRow>& rows) {
    boost::json::array ids;
    for (const auto& row : rows) ids.emplace_back(row.id);
    return ids;
}
}  // namespace

boost::json::object LifecycleService::event_base(const ReservationRow& row) const {
    boost::json::array seats;
    for (const auto& seat : row.seat_ids()) seats.emplace_back(seat);
    boost::json::object event{{"reservationId", row.id},     {"scheduleId", row.schedule_id},
                              {"productId", row.product_id}, {"userId", row.user_id},
                              {"seatIds", std::move(seats)}, {"quantity", row.quantity}};
    if (!row.grade_id.empty()) event["gradeId"] = row.grade_id;
    return event;
}

Transition<ReservationRow> LifecycleService::refusal_for(const std::string& id,
                                                         const std::string& owner,
                                                         std::string_view wanted) {
    auto found = store_.find(id);
    if (!found) return std::move(found).error();
    if (!*found || (!owner.empty() && (*found)->user_id != owner)) {
        return TransitionError{404, "NOT_FOUND", "no reservation " + id};
    }
    const auto& row = **found;
    if (row.status == "PENDING_PAYMENT" && wanted == "PENDING_PAYMENT") {
        return TransitionError{409, "HOLD_EXPIRED",
                               "the hold of reservation " + id + " has expired"};
    }
    return TransitionError{
        409, "INVALID_STATE",
        "reservation " + id + " is " + row.status + ", not " + std::string(wanted)};
}

sdk::Status LifecycleService::free_in_tx(sdk::Tx& tx, const std::vector<ReservationRow>& rows,
                                         std::string_view reason, const std::string& actor) {
    if (rows.empty()) return {};
    auto deleted = tx.exec(
        "DELETE FROM reservation.claims WHERE reservation_id IN "
        "(SELECT jsonb_array_elements_text($1::jsonb))",
        boost::json::serialize(claim_ids_json(rows)));
    if (!deleted) return std::move(deleted).error();
    for (const auto& row : rows) {
        auto event = event_base(row);
        event["reason"] = reason;
        if (auto s = tx.publish("reservation.released", row.schedule_id, event,
                                actor.empty() ? row.user_id : actor);
            !s)
            return s;
    }
    return {};
}

void LifecycleService::free_in_redis(const std::vector<ReservationRow>& rows) {
    for (const auto& row : rows) {
        HeldClaims claims{row.schedule_id, row.user_id,   row.id,       row.general_admission,
                          row.grade_id,    row.claim_ids, row.quantity, {}};
        if (auto s = redis_.release(claims); !s) {
            // PostgreSQL already freed them; Redis keeps the seat until its TTL (never an
            // oversell).
            host_.warn("releasing reservation ", row.id, " in redis failed: ", s.message());
        }
    }
}

Transition<ReservationRow> LifecycleService::confirm(const std::string& id,
                                                     const std::string& payment_id) {
    auto found = store_.find(id);
    if (!found) return std::move(found).error();
    if (!*found) return TransitionError{404, "NOT_FOUND", "no reservation " + id};
    const ReservationRow current = **found;
    if (current.status == "CONFIRMED" && current.payment_id == payment_id) return current;
    std::vector<ReservationRow> changed;
    const int64_t now = host_.now_us();
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE reservation.reservations SET status = 'CONFIRMED', payment_id = $3, "
            "updated_at = timestamptz 'epoch' + $4::bigint * interval '1 microsecond' "
            "WHERE id = $1 AND fencing_token = $2 AND status = 'PENDING_PAYMENT' "
            "AND expires_at > timestamptz 'epoch' + $4::bigint * interval '1 microsecond'" +
                returning(),
            id, current.fencing_token, payment_id, now);
        if (!rows) return std::move(rows).error();
        changed = parse_rows(*rows);
        if (changed.empty()) return {};
        auto sold = tx.exec(
            "UPDATE reservation.claims SET status = 'SOLD' WHERE reservation_id = $1 AND "
            "fencing_token = $2",
            id, current.fencing_token);
        if (!sold) return std::move(sold).error();
        if (sold->affected != changed.front().claim_ids.size()) {
            return sdk::Error::conflict("reservation " + id + " lost claims before confirmation");
        }
        auto event = event_base(changed.front());
        event["total"] = money(changed.front().total, changed.front().currency);
        event["paymentId"] = payment_id;
        return tx.publish("reservation.confirmed", changed.front().schedule_id, event, "system");
    });
    if (!status) return std::move(status).error();
    if (changed.empty()) return refusal_for(id, "", "PENDING_PAYMENT");
    const auto& row = changed.front();
    if (!row.general_admission) {
        if (auto s = redis_.sell(row.schedule_id, row.id, row.claim_ids); !s) {
            host_.warn("marking reservation ", row.id, " sold in redis failed: ", s.message());
        }
    }
    return row;
}

Transition<ReservationRow> LifecycleService::fail_payment(const std::string& id,
                                                          const std::string& payment_id) {
    std::vector<ReservationRow> changed;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE reservation.reservations SET status = 'PAYMENT_FAILED', status_reason = "
            "'PAYMENT_FAILED', "
            "payment_id = $2, updated_at = timestamptz 'epoch' + $3::bigint * interval '1 "
            "microsecond' "
            "WHERE id = $1 AND status = 'PENDING_PAYMENT'" +
                returning(),
            id, payment_id, host_.now_us());
        if (!rows) return std::move(rows).error();
        changed = parse_rows(*rows);
        return free_in_tx(tx, changed, "PAYMENT_FAILED", "system");
    });
    if (!status) return std::move(status).error();
    if (changed.empty()) return refusal_for(id, "", "PENDING_PAYMENT (or it expired)");
    free_in_redis(changed);
    return changed.front();
}

Transition<ReservationRow> LifecycleService::release(const std::string& id,
                                                     const std::string& owner) {
    std::vector<ReservationRow> changed;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE reservation.reservations SET status = 'CANCELLED', status_reason = 'RELEASED', "
            "updated_at = timestamptz 'epoch' + $3::bigint * interval '1 microsecond' "
            "WHERE id = $1 AND ($2 = '' OR user_id = $2) AND status = 'PENDING_PAYMENT'" +
                returning(),
            id, owner, host_.now_us());
        if (!rows) return std::move(rows).error();
        changed = parse_rows(*rows);
        return free_in_tx(tx, changed, "RELEASED", owner);
    });
    if (!status) return std::move(status).error();
    if (changed.empty()) return refusal_for(id, owner, "PENDING_PAYMENT");
    free_in_redis(changed);
    return changed.front();
}

Transition<ReservationRow> LifecycleService::cancel(const std::string& id, const std::string& owner,
                                                    const std::string& actor) {
    auto found = store_.find(id);
    if (!found) return std::move(found).error();
    if (!*found || (!owner.empty() && (*found)->user_id != owner)) {
        return TransitionError{404, "NOT_FOUND", "no reservation " + id};
    }
    const ReservationRow current = **found;
    if (current.status != "CONFIRMED") {
        return TransitionError{409, "INVALID_STATE",
                               "reservation " + id + " is " + current.status + ", not CONFIRMED"};
    }
    boost::json::object input{{"paid", current.total}};
    input["performanceAt"] =
        current.starts_us ? *current.starts_us / 1'000'000 : host_.now_us() / 1'000'000;
    int64_t refund = 0;
    std::string revision;
    if (auto decision = host_.policy("refunds", input);
        decision && decision->decision.is_object()) {
        if (const auto* amount = decision->decision.as_object().if_contains("amount");
            amount && amount->is_int64()) {
            refund = std::clamp<int64_t>(amount->as_int64(), 0, current.total);
        }
        revision = decision->revision;
    } else if (!decision) {
        return std::move(decision).error();
    }
    std::vector<ReservationRow> changed;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE reservation.reservations SET status = 'CANCELLED', status_reason = "
            "'CANCELLED', "
            "refund = $2, policy_revisions = policy_revisions || jsonb_build_object('refunds', "
            "$3::text), "
            "updated_at = timestamptz 'epoch' + $4::bigint * interval '1 microsecond' "
            "WHERE id = $1 AND status = 'CONFIRMED'" +
                returning(),
            id, refund, revision, host_.now_us());
        if (!rows) return std::move(rows).error();
        changed = parse_rows(*rows);
        if (changed.empty()) return {};
        auto deleted = tx.exec("DELETE FROM reservation.claims WHERE reservation_id = $1", id);
        if (!deleted) return std::move(deleted).error();
        auto event = event_base(changed.front());
        event["refund"] = money(refund, changed.front().currency);
        return tx.publish("reservation.cancelled", changed.front().schedule_id, event, actor);
    });
    if (!status) return std::move(status).error();
    if (changed.empty()) return refusal_for(id, owner, "CONFIRMED");
    free_in_redis(changed);
    return changed.front();
}

sdk::Result<std::size_t> LifecycleService::expire_due(std::size_t limit) {
    std::vector<ReservationRow> changed;
    const int64_t now = host_.now_us();
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "WITH due AS (SELECT id AS due_id FROM reservation.reservations WHERE status = "
            "'PENDING_PAYMENT' "
            "AND expires_at <= timestamptz 'epoch' + $1::bigint * interval '1 microsecond' "
            "ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED) "
            "UPDATE reservation.reservations r SET status = 'EXPIRED', status_reason = 'EXPIRED', "
            "updated_at = timestamptz 'epoch' + $1::bigint * interval '1 microsecond' FROM due "
            "WHERE r.id = due.due_id "
            "RETURNING " +
                std::string(reservation_columns),
            now, static_cast<int64_t>(limit));
        if (!rows) return std::move(rows).error();
        changed = parse_rows(*rows);
        return free_in_tx(tx, changed, "EXPIRED", "system");
    });
    if (!status) return std::move(status).error();
    free_in_redis(changed);
    return changed.size();
}

sdk::Status LifecycleService::cancel_schedules(sdk::Tx& tx,
                                               const std::vector<std::string>& schedule_ids) {
    boost::json::array ids;
    for (const auto& id : schedule_ids) ids.emplace_back(id);
    auto rows = tx.exec(
        "UPDATE reservation.reservations SET status = 'CANCELLED', status_reason = "
        "'PRODUCT_CANCELLED', "
        "updated_at = timestamptz 'epoch' + $2::bigint * interval '1 microsecond' "
        "WHERE schedule_id IN (SELECT jsonb_array_elements_text($1::jsonb)) "
        "AND status = 'PENDING_PAYMENT'" +
            returning(),
        boost::json::serialize(ids), host_.now_us());
    if (!rows) return std::move(rows).error();
    auto changed = parse_rows(*rows);
    if (auto s = free_in_tx(tx, changed, "PRODUCT_CANCELLED", "system"); !s) return s;
    // Freed in Redis before the commit: if the commit fails, PostgreSQL still holds the claims and
    // refuses any second claim on them, so the worst case is a refused hold, never an oversell.
    free_in_redis(changed);
    return {};
}

}  // namespace admit::reservation

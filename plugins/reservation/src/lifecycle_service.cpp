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
    // The revisions of the policies that decided this reservation (kept on tickets too).
    if (row.policy_revisions.is_object()) event["policyRevisions"] = row.policy_revisions;
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
            "AND (expires_at > timestamptz 'epoch' + $4::bigint * interval '1 microsecond' "
            "     OR (payment_hold_id = $3 AND payment_hold_until > "
            "         timestamptz 'epoch' + $4::bigint * interval '1 microsecond'))" +
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

Transition<ReservationRow> LifecycleService::refuse_payment(const std::string& id,
                                                            const std::string& payment_id) {
    std::vector<ReservationRow> freed, fenced;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        const std::string set =
            "UPDATE reservation.reservations SET status = 'PAYMENT_FAILED', status_reason = "
            "'PAYMENT_REFUNDED', payment_id = $2, updated_at = timestamptz 'epoch' + $3::bigint * "
            "interval '1 microsecond' WHERE id = $1 AND status = ";
        auto pending =
            tx.exec(set + "'PENDING_PAYMENT'" + returning(), id, payment_id, host_.now_us());
        if (!pending) return std::move(pending).error();
        freed = parse_rows(*pending);
        if (!freed.empty()) return free_in_tx(tx, freed, "PAYMENT_REFUNDED", "system");
        // An expired hold freed its seats (and said so) when it expired: only the fence.
        auto expired = tx.exec(set + "'EXPIRED'" + returning(), id, payment_id, host_.now_us());
        if (!expired) return std::move(expired).error();
        fenced = parse_rows(*expired);
        return {};
    });
    if (!status) return std::move(status).error();
    if (!freed.empty()) {
        free_in_redis(freed);
        return freed.front();
    }
    if (!fenced.empty()) return fenced.front();
    return refusal_for(id, "", "PENDING_PAYMENT or EXPIRED");
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
    if (!cancel_guard_.empty()) {
        auto approved =
            host_.call(cancel_guard_, boost::json::value{{"reservationId", id}, {"actor", actor}});
        if (!approved) {
            if (!approved.error().is_conflict()) return std::move(approved).error();
            // "CODE: message" from the guard; the code is the API's.
            const std::string& text = approved.error().message;
            const auto colon = text.find(": ");
            if (colon == std::string::npos) return TransitionError{409, "INVALID_STATE", text};
            return TransitionError{409, text.substr(0, colon), text.substr(colon + 2)};
        }
    }
    auto quote = quote_refund(host_, current);
    if (!quote) return std::move(quote).error();
    const int64_t refund = quote->amount;
    const std::string revision = quote->revision;
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
        event["reason"] = "CANCELLED";
        event["refundPolicyRevision"] = revision;
        if (!changed.front().payment_id.empty()) event["paymentId"] = changed.front().payment_id;
        return tx.publish("reservation.cancelled", changed.front().schedule_id, event, actor);
    });
    if (!status) return std::move(status).error();
    if (changed.empty()) return refusal_for(id, owner, "CONFIRMED");
    free_in_redis(changed);
    return changed.front();
}

Transition<QuotedRefund> LifecycleService::refund_quote(const std::string& id,
                                                        const std::string& owner) {
    auto found = store_.find(id);
    if (!found) return std::move(found).error();
    if (!*found || (!owner.empty() && (*found)->user_id != owner)) {
        return TransitionError{404, "NOT_FOUND", "no reservation " + id};
    }
    if ((*found)->status != "CONFIRMED") {
        return TransitionError{
            409, "INVALID_STATE",
            "reservation " + id + " is " + (*found)->status + ", not CONFIRMED: nothing to refund"};
    }
    auto quote = quote_refund(host_, **found);
    if (!quote) return std::move(quote).error();
    return QuotedRefund{**found, std::move(*quote)};
}

sdk::Result<std::size_t> LifecycleService::expire_due(std::size_t limit) {
    std::vector<ReservationRow> changed;
    const int64_t now = host_.now_us();
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "WITH due AS (SELECT id AS due_id FROM reservation.reservations WHERE status = "
            "'PENDING_PAYMENT' "
            "AND expires_at <= timestamptz 'epoch' + $1::bigint * interval '1 microsecond' "
            "AND (payment_hold_until IS NULL OR payment_hold_until <= "
            "     timestamptz 'epoch' + $1::bigint * interval '1 microsecond') "
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
    // Confirmed (paid) reservations of a cancelled product: cancelled with a full refund, which
    // the payment plugin pays back on reservation.cancelled.
    auto paid = tx.exec(
        "UPDATE reservation.reservations SET status = 'CANCELLED', status_reason = "
        "'PRODUCT_CANCELLED', refund = total, "
        "updated_at = timestamptz 'epoch' + $2::bigint * interval '1 microsecond' "
        "WHERE schedule_id IN (SELECT jsonb_array_elements_text($1::jsonb)) "
        "AND status = 'CONFIRMED'" +
            returning(),
        boost::json::serialize(ids), host_.now_us());
    if (!paid) return std::move(paid).error();
    auto cancelled = parse_rows(*paid);
    if (!cancelled.empty()) {
        auto deleted = tx.exec(
            "DELETE FROM reservation.claims WHERE reservation_id IN "
            "(SELECT jsonb_array_elements_text($1::jsonb))",
            boost::json::serialize(claim_ids_json(cancelled)));
        if (!deleted) return std::move(deleted).error();
    }
    for (const auto& row : cancelled) {
        auto event = event_base(row);
        event["refund"] = money(row.total, row.currency);
        event["reason"] = "PRODUCT_CANCELLED";
        if (!row.payment_id.empty()) event["paymentId"] = row.payment_id;
        if (auto s = tx.publish("reservation.cancelled", row.schedule_id, event, "system"); !s)
            return s;
    }
    // Freed in Redis before the commit: if the commit fails, PostgreSQL still holds the claims and
    // refuses any second claim on them, so the worst case is a refused hold, never an oversell.
    free_in_redis(changed);
    free_in_redis(cancelled);
    return {};
}

Transition<ReservationRow> LifecycleService::extend_for_payment(const std::string& id,
                                                                const std::string& payment_id,
                                                                int64_t until_us) {
    // The explicit maximum: the payment window of expiry.lua, counted from the hold's creation
    // (never shorter than the hold itself).
    int64_t payment_seconds = 600;
    if (auto expiry = host_.policy("expiry", boost::json::object{}); expiry) {
        if (const auto* window = expiry->decision.is_object()
                                     ? expiry->decision.as_object().if_contains("paymentSeconds")
                                     : nullptr;
            window && window->is_int64() && window->as_int64() > 0) {
            payment_seconds = window->as_int64();
        }
    } else {
        host_.warn("expiry policy unavailable, payment window 600 s: ", expiry.error().message);
    }
    std::vector<ReservationRow> changed;
    const int64_t now = host_.now_us();
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE reservation.reservations SET payment_hold_id = $2, payment_hold_until = "
            "GREATEST(expires_at, LEAST(timestamptz 'epoch' + $3::bigint * interval '1 "
            "microsecond', created_at + $5::bigint * interval '1 second')), "
            "updated_at = timestamptz 'epoch' + $4::bigint * interval '1 microsecond' "
            "WHERE id = $1 AND status = 'PENDING_PAYMENT' "
            "AND (expires_at > timestamptz 'epoch' + $4::bigint * interval '1 microsecond' "
            "     OR (payment_hold_id = $2 AND payment_hold_until > "
            "         timestamptz 'epoch' + $4::bigint * interval '1 microsecond'))" +
                returning(),
            id, payment_id, until_us, now, payment_seconds);
        if (!rows) return std::move(rows).error();
        changed = parse_rows(*rows);
        return {};
    });
    if (!status) return std::move(status).error();
    if (changed.empty()) return refusal_for(id, "", "PENDING_PAYMENT");
    return changed.front();
}

Transition<ReservationRow> LifecycleService::confirm_late(const std::string& id,
                                                          const std::string& payment_id) {
    // The expiry job may move the reservation from PENDING_PAYMENT to EXPIRED between the read
    // and the conditional UPDATE below (scripts/chaos seed 7320: a paid order refunded for that
    // alone); both are states this step confirms from, so it reads again and retries.
    for (int attempt = 1;; ++attempt) {
        auto result = confirm_late_once(id, payment_id);
        auto* refused = std::get_if<TransitionError>(&result);
        if (refused == nullptr || refused->code != "STATE_MOVED") return result;
        if (attempt == 3) return refusal_for(id, "", "PENDING_PAYMENT or EXPIRED");
    }
}

Transition<ReservationRow> LifecycleService::confirm_late_once(const std::string& id,
                                                               const std::string& payment_id) {
    auto found = store_.find(id);
    if (!found) return std::move(found).error();
    if (!*found) return TransitionError{404, "NOT_FOUND", "no reservation " + id};
    const ReservationRow current = **found;
    if (current.status == "CONFIRMED" && current.payment_id == payment_id) return current;
    if (current.status != "PENDING_PAYMENT" && current.status != "EXPIRED") {
        return TransitionError{
            409, "INVALID_STATE",
            "reservation " + id + " is " + current.status + ", not PENDING_PAYMENT or EXPIRED"};
    }
    std::vector<ReservationRow> changed;
    bool seats_taken = false;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "UPDATE reservation.reservations SET status = 'CONFIRMED', status_reason = "
            "'CONFIRMED_LATE', payment_id = $3, "
            "updated_at = timestamptz 'epoch' + $4::bigint * interval '1 microsecond' "
            "WHERE id = $1 AND status = $2" +
                returning(),
            id, current.status, payment_id, host_.now_us());
        if (!rows) return std::move(rows).error();
        changed = parse_rows(*rows);
        if (changed.empty()) return {};
        // A pending hold still owns its claims; an expired one claims its seats again, all or
        // nothing: the claims primary key refuses any seat someone else holds or bought.
        auto claimed =
            current.status == "PENDING_PAYMENT"
                ? tx.exec(
                      "UPDATE reservation.claims SET status = 'SOLD' WHERE reservation_id = "
                      "$1 AND fencing_token = $2",
                      id, current.fencing_token)
                : tx.exec(
                      "INSERT INTO reservation.claims (schedule_id, claim_id, "
                      "reservation_id, fencing_token, status) SELECT schedule_id, "
                      "unnest(claim_ids), id, fencing_token, 'SOLD' FROM "
                      "reservation.reservations WHERE id = $1 ON CONFLICT DO NOTHING",
                      id);
        if (!claimed) return std::move(claimed).error();
        if (claimed->affected != changed.front().claim_ids.size()) {
            seats_taken = true;
            return sdk::Error::conflict("SEATS_TAKEN");  // rolls the whole change back
        }
        auto event = event_base(changed.front());
        event["total"] = money(changed.front().total, changed.front().currency);
        event["paymentId"] = payment_id;
        event["late"] = true;
        return tx.publish("reservation.confirmed", changed.front().schedule_id, event, "system");
    });
    if (seats_taken) {
        return TransitionError{409, "SEATS_TAKEN",
                               "the seats of reservation " + id + " were taken after it expired"};
    }
    if (!status) return std::move(status).error();
    if (changed.empty())
        return TransitionError{409, "STATE_MOVED", "reservation " + id + " changed"};
    const auto& row = changed.front();
    // Redis follows: sold seats are pinned; general admission units are recomputed from
    // PostgreSQL (the schedule's marker is dropped, so the next hold rebuilds it).
    auto redis_done = row.general_admission ? redis_.forget_schedule(row.schedule_id)
                                            : redis_.sell(row.schedule_id, row.id, row.claim_ids);
    if (!redis_done) {
        host_.warn("late confirmation of ", row.id,
                   " not applied in redis: ", redis_done.message());
    }
    return row;
}

}  // namespace admit::reservation

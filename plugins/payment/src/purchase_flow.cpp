#include "purchase_flow.hpp"

#include <admit/sdk/time_text.hpp>

namespace admit::payment {

using sdk::Response;
namespace fields = sdk::fields;

namespace {

std::string text_of(const boost::json::object& object, std::string_view field) {
    const auto* value = object.if_contains(field);
    return value && value->is_string() ? std::string(value->as_string()) : std::string{};
}

bool sees_all(const sdk::Principal& principal) {
    return principal.has_role("admin") || principal.has_role("staff");
}

}  // namespace

Response PurchaseFlow::answer_existing(const PaymentRow& row) const {
    if (row.status == "READY") {
        auto body = payment_json(row);
        return Response::json(200, body);
    }
    if (row.charged()) {
        return Response::error(409, "ALREADY_PAID",
                               "reservation " + row.reservation_id + " is paid by " + row.id);
    }
    return Response::error(
        409, "PAYMENT_IN_PROGRESS",
        "payment " + row.id + " of reservation " + row.reservation_id + " is " + row.status);
}

Response PurchaseFlow::prepare(const sdk::Request& request) {
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto reservation_id = fields::required_string(*body, "reservationId");
    if (!reservation_id) return Response::from_error(reservation_id.error());
    auto method = fields::required_string(*body, "method");
    if (!method) return Response::from_error(method.error());
    if (reservation_id->size() > 100)
        return Response::invalid_request("field 'reservationId' is too long");
    if (method->size() > 40) return Response::invalid_request("field 'method' is too long");
    const std::string caller(request.principal().subject());

    auto reservation = host_.call("reservation.get", {{"reservationId", *reservation_id}});
    if (!reservation) {
        if (reservation.error().is_not_found())
            return Response::error(404, "NOT_FOUND", "no reservation " + *reservation_id);
        return Response::from_error(reservation.error());
    }
    if (!reservation->is_object())
        return Response::from_error(sdk::Error::internal("reservation.get: not an object"));
    const auto& facts = reservation->as_object();
    if (text_of(facts, "userId") != caller)
        return Response::error(404, "NOT_FOUND", "no reservation " + *reservation_id);

    const std::string status = text_of(facts, "status");
    if (status == "CONFIRMED")
        return Response::error(409, "ALREADY_PAID", "reservation " + *reservation_id + " is paid");
    const auto expires_us = sdk::parse_rfc3339(text_of(facts, "expiresAt"));
    if (status != "PENDING_PAYMENT" || !expires_us || *expires_us <= host_.now_us()) {
        return Response::error(
            409, "RESERVATION_EXPIRED",
            "reservation " + *reservation_id + " is no longer payable (" + status + ")");
    }
    auto existing = store_.find_live_for_reservation(*reservation_id);
    if (!existing) return Response::from_error(existing.error());
    if (*existing) return answer_existing(**existing);
    int64_t amount = 0;
    std::string currency;
    if (const auto* price = facts.if_contains("price"); price && price->is_object()) {
        if (const auto* total = price->as_object().if_contains("total");
            total && total->is_object()) {
            amount = ProviderClient::amount_of(total).value_or(0);
            currency = text_of(total->as_object(), "currency");
        }
    }
    if (amount <= 0 || currency.empty()) {
        return Response::from_error(
            sdk::Error::internal("reservation " + *reservation_id + " has no payable total"));
    }

    PaymentRow row;
    row.id = sdk::new_id("pay");
    row.order_id = sdk::new_id("ord");
    row.reservation_id = *reservation_id;
    row.user_id = caller;
    row.provider = provider_.name();
    row.method = *method;
    row.amount = amount;
    row.currency = currency;
    if (const auto* revisions = facts.if_contains("policyRevision");
        revisions && revisions->is_object()) {
        row.fees_revision = text_of(revisions->as_object(), "fees");
    }
    auto checkout =
        provider_.checkout(row.order_id, amount, currency, "Reservation " + row.reservation_id,
                           settings_.success_url, settings_.fail_url);
    if (!checkout) return Response::from_error(checkout.error());
    row.checkout_url = *checkout;

    std::optional<PaymentRow> created;
    auto stored = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto rows = tx.exec(
            "INSERT INTO payment.payments (id, order_id, reservation_id, user_id, provider, "
            "method, amount, currency, status, checkout_url, hold_expires_at, fees_revision, "
            "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'READY', $9, " +
                sql_time(11) + ", NULLIF($12, ''), " + sql_time(10) + ", " + sql_time(10) +
                ") ON CONFLICT (reservation_id) WHERE status <> 'FAILED' DO NOTHING RETURNING " +
                std::string(payment_columns),
            row.id, row.order_id, row.reservation_id, row.user_id, row.provider, row.method,
            row.amount, row.currency, row.checkout_url, host_.now_us(), *expires_us,
            row.fees_revision);
        if (!rows) return std::move(rows).error();
        auto parsed = parse_payments(*rows);
        if (parsed.empty()) return {};  // a concurrent prepare won
        created = parsed.front();
        auto event = PaymentLedger::event_base(*created);
        event["method"] = created->method;
        return tx.publish("payment.prepared", created->reservation_id, event, caller);
    });
    if (!stored) return Response::from_error(stored.error());
    if (!created) {
        auto winner = store_.find_live_for_reservation(*reservation_id);
        if (!winner) return Response::from_error(winner.error());
        if (!*winner) return Response::error(409, "PAYMENT_IN_PROGRESS", "retry the prepare");
        return answer_existing(**winner);
    }
    return Response::json(201, payment_json(*created));
}

Response PurchaseFlow::answer_for(const PaymentRow& row) const {
    if (row.status == "IN_PROGRESS") {
        return Response::error(409, "PAYMENT_IN_PROGRESS",
                               "payment " + row.id + " is being confirmed");
    }
    if (row.amount_mismatch()) {
        return Response::error(422, "AMOUNT_MISMATCH",
                               "the provider charged another amount than " +
                                   std::to_string(row.amount) + "; it is refunded");
    }
    if (row.status == "APPROVED") return answer_for_approved(row);
    return Response::json(row.status == "UNKNOWN" ? 202 : 200, payment_json(row));
}

Response PurchaseFlow::answer_for_approved(const PaymentRow& row) const {
    // API.md: a confirm answers APPROVED when the reservation is CONFIRMED and its tickets are
    // on their way. A payment row APPROVED alone is not that: its reservation may still be being
    // confirmed by another run of the saga (the webhook's, on another instance), or it may have
    // been lost and the payment refunded (scripts/chaos seed 7320: an instance paused mid-confirm
    // answered 200 APPROVED for an order refunded a moment later).
    auto reservation = host_.call("reservation.get", {{"reservationId", row.reservation_id}});
    if (!reservation && !reservation.error().is_not_found())
        return Response::from_error(reservation.error());
    if (reservation && reservation->is_object()) {
        const auto& object = reservation->as_object();
        const std::string status = text_of(object, "status");
        if (text_of(object, "paymentId") == row.id &&
            (status == "CONFIRMED" || status == "CANCELLED")) {
            auto body = payment_json(row);
            body["reservationStatus"] = status;
            return Response::json(200, body);
        }
    }
    auto refunds = host_.db().exec(
        "SELECT 1 FROM payment.refunds WHERE payment_id = $1 AND reason = 'HOLD_LOST'", row.id);
    if (!refunds) return Response::from_error(refunds.error());
    if (!refunds->empty()) {
        return Response::error(409, "RESERVATION_EXPIRED",
                               "payment " + row.id +
                                   " was approved after the hold of reservation " +
                                   row.reservation_id + " was lost; it is refunded in full");
    }
    return Response::error(409, "PAYMENT_IN_PROGRESS",
                           "payment " + row.id + " is approved; reservation " + row.reservation_id +
                               " is being confirmed (ask again in a moment)");
}

Response PurchaseFlow::reload(const std::string& id) const {
    auto found = store_.find(id);
    if (!found) return Response::from_error(found.error());
    if (!*found) return Response::error(404, "NOT_FOUND", "no payment " + id);
    return answer_for(**found);
}

Response PurchaseFlow::confirm(const sdk::Request& request) {
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto payment_id = fields::required_string(*body, "paymentId");
    if (!payment_id) return Response::from_error(payment_id.error());
    // API.md names it providerKey, Toss paymentKey: either is accepted.
    auto key = fields::optional_string(*body, "paymentKey");
    if (!key) return Response::from_error(key.error());
    if (!*key || (*key)->empty()) {
        key = fields::optional_string(*body, "providerKey");
        if (!key) return Response::from_error(key.error());
    }
    if (!*key || (*key)->empty())
        return Response::invalid_request("field 'paymentKey' (or 'providerKey') is required");
    if ((*key)->size() > 200) return Response::invalid_request("field 'paymentKey' is too long");

    auto found = store_.find(*payment_id);
    if (!found) return Response::from_error(found.error());
    const auto principal = request.principal();
    if (!*found || (!sees_all(principal) && (*found)->user_id != principal.subject()))
        return Response::error(404, "NOT_FOUND", "no payment " + *payment_id);
    const PaymentRow row = **found;
    if (row.status != "READY") return answer_for(row);

    // Protect the hold while the provider works; a hold already gone is never charged. A hold
    // with more time left than the protection asks for needs no call (the hot path).
    const int64_t until = host_.now_us() + settings_.hold_protection_ms * 1000;
    sdk::Result<boost::json::value> protection = boost::json::value{};
    if (!row.hold_expires_us || *row.hold_expires_us <= until) {
        protection = host_.call("reservation.extend_for_payment",
                                {{"reservationId", row.reservation_id},
                                 {"paymentId", row.id},
                                 {"until", sdk::format_rfc3339(until, true)}});
    }
    if (!protection) {
        if (!protection.error().is_conflict() && !protection.error().is_not_found())
            return Response::from_error(protection.error());
        auto failed = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
            auto changed = ledger_.fail(tx, row.id, "RESERVATION_EXPIRED",
                                        protection.error().message, row.user_id);
            if (!changed) return std::move(changed).error();
            return {};
        });
        if (!failed) return Response::from_error(failed.error());
        metrics_.failed.add();
        return Response::error(409, "RESERVATION_EXPIRED",
                               "the hold of reservation " + row.reservation_id + " has expired");
    }

    std::optional<PaymentRow> started;
    auto begun = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto changed = ledger_.start_confirm(tx, row.id, **key);
        if (!changed) return std::move(changed).error();
        started = *changed;
        return {};
    });
    if (!begun) return Response::from_error(begun.error());
    if (!started) return reload(row.id);  // a concurrent confirm or a webhook moved it

    const auto t0 = std::chrono::steady_clock::now();
    auto answer = provider_.confirm(started->order_id, **key, started->amount, started->currency,
                                    started->id);
    metrics_.confirm_seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (!answer) {
        if (answer.error().is_unavailable()) {
            // Certainly not sent: the buyer may try again.
            auto back = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
                auto changed = ledger_.back_to_ready(tx, row.id);
                if (!changed) return std::move(changed).error();
                return {};
            });
            if (!back) host_.error("payment ", row.id, " stays IN_PROGRESS: ", back.message());
            return Response::error(503, "PROVIDER_UNAVAILABLE",
                                   "the payment provider is unavailable; retry shortly")
                .header("Retry-After", "1");
        }
        // It may have reached the provider: never guessed, reconciliation asks later.
        host_.warn("confirm of payment ", row.id, " failed: ", answer.error().message);
        ProviderAnswer unknown;
        unknown.outcome = "UNKNOWN";
        return settle(*started, unknown);
    }
    return settle(*started, *answer);
}

Response PurchaseFlow::settle(const PaymentRow& row, const ProviderAnswer& answer) {
    std::optional<PaymentRow> changed;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        if (auto s = ledger_.log(tx, row.id, "confirm", answer.outcome, answer.exchange); !s)
            return s;
        PaymentLedger::Changed moved = std::optional<PaymentRow>{};
        if (answer.outcome == "APPROVED") {
            moved = ledger_.approve(tx, row.id, answer.amount.value_or(row.amount),
                                    answer.payment_key, answer.approved_us, "confirm");
        } else if (answer.outcome == "DECLINED") {
            moved = ledger_.fail(tx, row.id,
                                 answer.failure_code.empty() ? "DECLINED" : answer.failure_code,
                                 answer.failure_message, row.user_id);
        } else {
            moved = ledger_.mark_unknown(tx, row.id);
        }
        if (!moved) return std::move(moved).error();
        changed = *moved;
        return {};
    });
    if (!status) return Response::from_error(status.error());
    if (!changed) return reload(row.id);  // the webhook or reconciliation settled it first
    if (changed->status == "APPROVED") {
        metrics_.approved.add();
        auto outcome = saga_.complete_approved(*changed);
        if (!outcome) {
            host_.warn("saga of payment ", changed->id,
                       " left to the subscriber: ", outcome.error().message);
        } else if (*outcome == "CONFIRMED") {
            auto body = payment_json(*changed);
            body["reservationStatus"] = "CONFIRMED";
            return Response::json(200, body);
        }
        return reload(changed->id);  // refunding: answer the refund's progress
    }
    if (changed->status == "FAILED") {
        metrics_.failed.add();
        if (auto s = saga_.complete_failed(changed->id); !s)
            host_.warn("release after payment ", changed->id,
                       " left to the subscriber: ", s.message());
        return answer_for(*changed);
    }
    metrics_.unknown.add();
    return answer_for(*changed);
}

}  // namespace admit::payment

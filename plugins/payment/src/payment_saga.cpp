#include "payment_saga.hpp"

namespace admit::payment {

namespace {

std::string text_of(const boost::json::value& value, std::string_view field) {
    if (!value.is_object()) return {};
    const auto* found = value.as_object().if_contains(field);
    return found && found->is_string() ? std::string(found->as_string()) : std::string{};
}

/// A definitive "no" of the reservation plugin (a state conflict or no such reservation), as
/// opposed to a failure that a retry may overcome.
bool refused(const sdk::Error& error) { return error.is_conflict() || error.is_not_found(); }

}  // namespace

sdk::Status PaymentSaga::refund_in_full(const PaymentRow& payment, const std::string& reason,
                                        const std::string& note) {
    std::optional<std::string> refund_id;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto requested =
            ledger_.request_refund(tx, payment,
                                   {.amount = payment.approved_amount.value_or(payment.amount),
                                    .reason = reason,
                                    .cause = "full:" + payment.id,
                                    .note = note,
                                    .policy_revision = {},
                                    .actor = "system"});
        if (!requested) return std::move(requested).error();
        refund_id = *requested;
        return {};
    });
    if (!status) return status;
    if (refund_id) {
        if (auto s = execute_refund(*refund_id); !s)
            host_.warn("refund ", *refund_id, " left for retry: ", s.message());
    }
    return {};
}

sdk::Result<std::string> PaymentSaga::complete_approved(const std::string& payment_id) {
    auto found = store_.find(payment_id);
    if (!found) return std::move(found).error();
    if (!*found) return std::string("NONE");
    return complete_approved(**found);
}

sdk::Result<std::string> PaymentSaga::complete_approved(const PaymentRow& payment) {
    if (!payment.charged()) return std::string("NONE");
    const boost::json::object ids{{"reservationId", payment.reservation_id},
                                  {"paymentId", payment.id}};
    if (payment.amount_mismatch()) {
        // The refund was requested with the approval; the seats go back.
        auto failed = host_.call("reservation.fail_payment", ids);
        if (!failed && !refused(failed.error())) return std::move(failed).error();
        return std::string("REFUNDING");
    }
    auto confirmed = host_.call("reservation.confirm", ids);
    if (confirmed) return std::string("CONFIRMED");
    if (!refused(confirmed.error())) return std::move(confirmed).error();

    // The hold was not confirmable: find out why before deciding anything about money.
    auto reservation = host_.call("reservation.get", {{"reservationId", payment.reservation_id}});
    if (!reservation && !reservation.error().is_not_found()) return std::move(reservation).error();
    const std::string status = reservation ? text_of(*reservation, "status") : "";
    const bool ours = reservation && text_of(*reservation, "paymentId") == payment.id;
    if (ours && (status == "CONFIRMED" || status == "CANCELLED")) {
        return std::string("CONFIRMED");  // confirmed with this payment (cancelled later)
    }
    if (status == "PENDING_PAYMENT" || status == "EXPIRED") {
        auto late = host_.call("reservation.confirm_late", ids);
        if (late) return std::string("CONFIRMED");
        if (!refused(late.error())) return std::move(late).error();
        // Refused: either the seats are gone, or a concurrent run of this step (the route and
        // the subscriber) confirmed it a moment ago. Only the reservation can tell.
        auto again = host_.call("reservation.get", {{"reservationId", payment.reservation_id}});
        if (!again) return std::move(again).error();
        if (text_of(*again, "paymentId") == payment.id &&
            (text_of(*again, "status") == "CONFIRMED" || text_of(*again, "status") == "CANCELLED"))
            return std::string("CONFIRMED");
        host_.info("payment ", payment.id,
                   " approved after its hold was lost: ", late.error().message);
    }
    // The fence: once the reservation refuses this payment, no run of this step (the route, the
    // subscriber, the reconciler, on any host) can confirm it, so the refund below never meets
    // tickets. A confirmation that got in first wins, and then nothing is refunded.
    if (auto fenced = host_.call("reservation.refuse_payment", ids); !fenced) {
        if (!refused(fenced.error())) return std::move(fenced).error();
        auto now = host_.call("reservation.get", {{"reservationId", payment.reservation_id}});
        if (!now && !now.error().is_not_found()) return std::move(now).error();
        if (now && text_of(*now, "paymentId") == payment.id &&
            (text_of(*now, "status") == "CONFIRMED" || text_of(*now, "status") == "CANCELLED"))
            return std::string("CONFIRMED");
    }
    if (auto s = refund_in_full(payment, "HOLD_LOST",
                                "approved after the hold was lost (reservation " +
                                    (status.empty() ? std::string("missing") : status) + ")");
        !s)
        return std::move(s).error();
    return std::string("REFUNDING");
}

sdk::Status PaymentSaga::complete_failed(const std::string& payment_id) {
    auto found = store_.find(payment_id);
    if (!found) return std::move(found).error();
    if (!*found || (*found)->status != "FAILED") return {};
    auto failed =
        host_.call("reservation.fail_payment",
                   {{"reservationId", (*found)->reservation_id}, {"paymentId", payment_id}});
    if (!failed && !refused(failed.error())) return std::move(failed).error();
    return {};
}

sdk::Status PaymentSaga::execute_refund(const std::string& refund_id) {
    auto rows = host_.db().exec(
        "SELECT r.amount, r.reason, r.status, p.id AS payment_id FROM payment.refunds r JOIN "
        "payment.payments p ON p.id = r.payment_id WHERE r.id = $1",
        refund_id);
    if (!rows) return std::move(rows).error();
    if (rows->empty() || rows->front().text("status") != "PENDING") return {};
    auto payment = store_.find(rows->front().text("payment_id"));
    if (!payment) return std::move(payment).error();
    if (!*payment) return {};
    const PaymentRow& row = **payment;
    const int64_t amount = rows->front().int64("amount").value_or(0);
    auto answer = provider_.cancel(row.payment_key, row.order_id, amount, row.currency,
                                   rows->front().text("reason"), refund_id);
    if (!answer) return std::move(answer).error();
    std::optional<sdk::Error> retry;
    auto status = host_.db().transaction([&](sdk::Tx& tx) -> sdk::Status {
        if (auto s = ledger_.log(tx, row.id, "cancel", answer->outcome, answer->exchange); !s)
            return s;
        if (answer->outcome == "CANCELLED") {
            auto done = ledger_.finish_refund(tx, refund_id);
            if (!done) return std::move(done).error();
            return {};
        }
        if (answer->outcome == "REFUSED") {
            auto refused_refund = ledger_.refuse_refund(
                tx, refund_id, answer->failure_code + ": " + answer->failure_message);
            if (!refused_refund) return std::move(refused_refund).error();
            return {};
        }
        retry = sdk::Error::unavailable("provider did not answer refund " + refund_id);
        return {};  // keep the log; the refund stays PENDING
    });
    if (!status) return status;
    if (retry) return *retry;
    return {};
}

sdk::Status PaymentSaga::on_reservation_cancelled(sdk::Tx& tx, const boost::json::object& event) {
    const std::string reservation_id = text_of(event, "reservationId");
    if (reservation_id.empty()) return {};  // malformed: nothing to refund
    const auto amount = ProviderClient::amount_of(event.if_contains("refund"));
    if (!amount || *amount <= 0) return {};
    auto rows = tx.exec("SELECT " + std::string(payment_columns) +
                            " FROM payment.payments WHERE reservation_id = $1 AND status IN "
                            "('APPROVED', 'PARTIALLY_REFUNDED') FOR UPDATE",
                        reservation_id);
    if (!rows) return std::move(rows).error();
    auto payments = parse_payments(*rows);
    if (payments.empty()) return {};  // not paid through this plugin (or already refunded)
    const PaymentRow& payment = payments.front();
    const std::string reason =
        text_of(event, "reason") == "PRODUCT_CANCELLED" ? "PRODUCT_CANCELLED" : "BUYER_CANCELLED";
    const int64_t refundable =
        payment.approved_amount.value_or(payment.amount) - payment.refunded_amount;
    if (refundable <= 0) return {};
    auto requested = ledger_.request_refund(
        tx, payment,
        {.amount = std::min(*amount, refundable),
         .reason = reason,
         .cause = "reservation_cancelled:" + reservation_id,
         .note = {},
         .policy_revision = text_of(event, "refundPolicyRevision"),
         .actor = text_of(event, "actor").empty() ? "system" : text_of(event, "actor")});
    if (!requested) return std::move(requested).error();
    return {};
}

}  // namespace admit::payment

// The reservation lifecycle after a hold: confirm, payment failure, release by the buyer,
// cancellation with refund, expiry (host job) and product cancellation. Each transition is one
// conditional UPDATE (no row lock held across a network round trip), the claim change and its
// outbox event in the same transaction; Redis follows after the commit. Thread-safe.
#pragma once

#include "redis_holds.hpp"
#include "refund_quote.hpp"
#include "reservation_store.hpp"

#include <admit/sdk.hpp>

namespace admit::reservation {

/// A refused transition: `code` is the API error code (NOT_FOUND, INVALID_STATE, HOLD_EXPIRED).
struct TransitionError {
    int http_status;
    std::string code;
    std::string message;
};

/// A confirmed reservation and what cancelling it now would refund.
struct QuotedRefund {
    ReservationRow reservation;
    RefundQuote quote;
};

template <class T>
using Transition = std::variant<T, TransitionError, sdk::Error>;

class LifecycleService {
  public:
    /// `cancel_guard`: the service method that must approve a buyer's cancellation before it is
    /// cancelled and refunded ([plugin.reservation] cancel_guard, default
    /// "ticket.void_reservation": voids the tickets, refuses when one was admitted); empty = none
    /// (a venue that issues no tickets).
    LifecycleService(sdk::Host& host, RedisHolds& redis, ReservationStore& store,
                     std::string cancel_guard = {})
        : host_(host), redis_(redis), store_(store), cancel_guard_(std::move(cancel_guard)) {}

    /// PENDING_PAYMENT -> CONFIRMED when the fencing token still matches and the hold has not
    /// expired. Repeating a confirm with the same paymentId answers the confirmed reservation.
    Transition<ReservationRow> confirm(const std::string& id, const std::string& payment_id);
    /// Protects a pending hold while payment `payment_id` is confirmed at the provider: the hold
    /// stays confirmable by that payment (and is skipped by expire_due) until `until_us`, clamped
    /// to [expiresAt, createdAt + expiry.lua's paymentSeconds]. Refused (HOLD_EXPIRED /
    /// INVALID_STATE) when the hold already expired and is not protected by this payment.
    Transition<ReservationRow> extend_for_payment(const std::string& id,
                                                  const std::string& payment_id, int64_t until_us);
    /// A payment approved after the hold was lost: PENDING_PAYMENT (past its expiry) or EXPIRED ->
    /// CONFIRMED, re-claiming every seat/unit in the same transaction, all or nothing (409
    /// SEATS_TAKEN when any was taken since; nothing changes then). Repeating it with the same
    /// paymentId answers the confirmed reservation.
    Transition<ReservationRow> confirm_late(const std::string& id, const std::string& payment_id);
    /// PENDING_PAYMENT -> PAYMENT_FAILED, seats freed.
    Transition<ReservationRow> fail_payment(const std::string& id, const std::string& payment_id);
    /// The fence before a payment approved after its hold was lost is refunded: PENDING_PAYMENT
    /// (seats freed) or EXPIRED -> PAYMENT_FAILED (reason PAYMENT_REFUNDED), so that neither
    /// confirm nor confirm_late can confirm the reservation afterwards. Conditional updates of one
    /// row: of this and a concurrent confirmation, exactly one wins, and the loser is refused
    /// (409 INVALID_STATE), so money is refunded only for a reservation that stays unconfirmed.
    Transition<ReservationRow> refuse_payment(const std::string& id, const std::string& payment_id);
    /// The buyer's release before payment: PENDING_PAYMENT -> CANCELLED (reason RELEASED).
    /// `owner` empty = any owner (admin).
    Transition<ReservationRow> release(const std::string& id, const std::string& owner);
    /// After confirmation: CONFIRMED -> CANCELLED with the refund from refunds.lua. The cancel
    /// guard runs first: 409 TICKET_USED (nothing changes) when a ticket was admitted at a gate;
    /// an unavailable guard fails the cancel (503), never skips it.
    Transition<ReservationRow> cancel(const std::string& id, const std::string& owner,
                                      const std::string& actor);
    /// What cancel() would refund now, without changing anything: 404 NOT_FOUND (not the
    /// owner's), 409 INVALID_STATE (not CONFIRMED). `owner` empty = any owner (admin).
    Transition<QuotedRefund> refund_quote(const std::string& id, const std::string& owner);
    /// Expires up to `limit` holds past expiresAt (SKIP LOCKED: safe on several hosts); returns how
    /// many.
    sdk::Result<std::size_t> expire_due(std::size_t limit);
    /// Inside a product.cancelled delivery: releases the pending holds of those schedules and
    /// cancels their confirmed reservations with a full refund (reservation.cancelled, reason
    /// PRODUCT_CANCELLED).
    sdk::Status cancel_schedules(sdk::Tx& tx, const std::vector<std::string>& schedule_ids);

  private:
    /// One attempt of confirm_late; 409 STATE_MOVED when the reservation changed between its
    /// read and its conditional update (confirm_late reads again).
    Transition<ReservationRow> confirm_late_once(const std::string& id,
                                                 const std::string& payment_id);
    Transition<ReservationRow> refusal_for(const std::string& id, const std::string& owner,
                                           std::string_view wanted);
    /// Deletes the claims of `rows` and publishes reservation.released for each (reason given).
    sdk::Status free_in_tx(sdk::Tx& tx, const std::vector<ReservationRow>& rows,
                           std::string_view reason, const std::string& actor);
    void free_in_redis(const std::vector<ReservationRow>& rows);
    /// The reservation's fields every reservation.* event carries (Tx::publish adds actor, at).
    boost::json::object event_base(const ReservationRow& row) const;

    sdk::Host& host_;
    RedisHolds& redis_;
    ReservationStore& store_;
    std::string cancel_guard_;
};

}  // namespace admit::reservation

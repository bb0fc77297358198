// PaymentSaga: what follows a payment's outcome, every step idempotent so that the confirm
// route, the webhook, reconciliation and the outbox subscribers may all run it, in any order and
// any number of times, with one end state:
//   approved -> reservation.confirm (or, when the hold was lost, reservation.confirm_late which
//               re-claims the seats all or nothing) -> reservation.confirmed -> tickets;
//               seats gone -> a full refund (HOLD_LOST) through the provider, never a ticket;
//               charged another amount than ours -> reservation.fail_payment and a full refund;
//   failed   -> reservation.fail_payment (seats released);
//   reservation.cancelled (buyer or product cancellation) -> refund of the amount it names.
// Refunds are rows of payment.refunds executed by job execute_refund with the refund id as the
// provider's idempotency key, so a retried refund never pays twice. Thread-safe.
#pragma once

#include "payment_ledger.hpp"
#include "payment_store.hpp"
#include "provider_client.hpp"

#include <admit/sdk.hpp>

namespace admit::payment {

class PaymentSaga {
  public:
    PaymentSaga(sdk::Host& host, PaymentStore& store, PaymentLedger& ledger,
                const ProviderClient& provider)
        : host_(host), store_(store), ledger_(ledger), provider_(provider) {}

    /// After APPROVED: "CONFIRMED" (reservation confirmed with this payment, or cancelled after
    /// it), "REFUNDING" (seats lost or amount mismatch: the refund is requested) or "NONE" (the
    /// payment is not charged). An Error means "try again later" (a dependency failed).
    sdk::Result<std::string> complete_approved(const std::string& payment_id);
    /// The same for a row the caller just read or changed (saves a read on the hot path).
    sdk::Result<std::string> complete_approved(const PaymentRow& payment);
    /// After FAILED: the reservation's seats are released (already released or expired is fine).
    sdk::Status complete_failed(const std::string& payment_id);
    /// Executes a PENDING refund at the provider. An Error (provider unavailable or UNKNOWN)
    /// leaves it PENDING for the job's retry or reconciliation.
    sdk::Status execute_refund(const std::string& refund_id);
    /// Inside a reservation.cancelled delivery: requests the refund the event names.
    sdk::Status on_reservation_cancelled(sdk::Tx& tx, const boost::json::object& event);

  private:
    /// Requests a full refund of the charge in its own transaction.
    sdk::Status refund_in_full(const PaymentRow& payment, const std::string& reason,
                               const std::string& note);

    sdk::Host& host_;
    PaymentStore& store_;
    PaymentLedger& ledger_;
    const ProviderClient& provider_;
};

}  // namespace admit::payment

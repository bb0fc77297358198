// PurchaseFlow: the buyer's two calls, prepare and confirm.
//   prepare: the amount comes from the reservation (reservation.get), never from the client; one
//            live payment per reservation (a partial unique index decides races); the provider's
//            checkout URL is fetched before the single INSERT + payment.prepared transaction.
//   confirm: protects the hold (reservation.extend_for_payment), READY -> IN_PROGRESS, calls
//            `<provider>.confirm` with OUR amount and the payment id as idempotency key, then
//            one transaction for the outcome (+ its log and event) and the saga step, so the
//            answer says CONFIRMED, FAILED, UNKNOWN (202) or the refund.
// Thread-safe.
#pragma once

#include "payment_ledger.hpp"
#include "payment_saga.hpp"
#include "payment_settings.hpp"
#include "payment_store.hpp"
#include "provider_client.hpp"

#include <admit/sdk.hpp>

namespace admit::payment {

class PurchaseFlow {
  public:
    PurchaseFlow(sdk::Host& host, PaymentStore& store, PaymentLedger& ledger, PaymentSaga& saga,
                 const ProviderClient& provider, const PaymentSettings& settings,
                 const PaymentMetrics& metrics)
        : host_(host),
          store_(store),
          ledger_(ledger),
          saga_(saga),
          provider_(provider),
          settings_(settings),
          metrics_(metrics) {}

    sdk::Response prepare(const sdk::Request& request);
    sdk::Response confirm(const sdk::Request& request);

    /// The answer for a payment that is already past READY (a repeated or concurrent confirm;
    /// the confirm whose saga did not confirm the reservation itself).
    sdk::Response answer_for(const PaymentRow& row) const;

  private:
    sdk::Response answer_existing(const PaymentRow& row) const;
    /// An APPROVED payment: 200 only when its reservation was confirmed with it; 409
    /// RESERVATION_EXPIRED when it is refunded because the hold was lost; 409
    /// PAYMENT_IN_PROGRESS while the reservation's confirmation is still on its way.
    sdk::Response answer_for_approved(const PaymentRow& row) const;
    /// Runs the outcome of the provider's confirm answer; returns the response.
    sdk::Response settle(const PaymentRow& row, const ProviderAnswer& answer);
    sdk::Response reload(const std::string& id) const;

    sdk::Host& host_;
    PaymentStore& store_;
    PaymentLedger& ledger_;
    PaymentSaga& saga_;
    const ProviderClient& provider_;
    const PaymentSettings& settings_;
    const PaymentMetrics& metrics_;
};

}  // namespace admit::payment

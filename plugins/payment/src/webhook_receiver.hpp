// WebhookReceiver: POST /api/v1/payments/webhooks/{provider}. The adapter verifies signature and
// timestamp (`<provider>.verify_webhook`); invalid -> 401. A valid event is recorded by the
// provider's event id in the same transaction as the change it causes, so a duplicate (or a
// replay with a fresh signature) changes nothing; events that arrive out of order are applied
// only when they move the payment forward (a late DECLINED never undoes an APPROVED).
// Thread-safe.
#pragma once

#include "payment_ledger.hpp"
#include "payment_saga.hpp"
#include "payment_settings.hpp"
#include "payment_store.hpp"
#include "provider_client.hpp"

#include <admit/sdk.hpp>

namespace admit::payment {

class WebhookReceiver {
  public:
    WebhookReceiver(sdk::Host& host, PaymentStore& store, PaymentLedger& ledger, PaymentSaga& saga,
                    const ProviderClient& provider, const PaymentMetrics& metrics)
        : host_(host),
          store_(store),
          ledger_(ledger),
          saga_(saga),
          provider_(provider),
          metrics_(metrics) {}

    sdk::Response receive(const sdk::Request& request);

  private:
    sdk::Host& host_;
    PaymentStore& store_;
    PaymentLedger& ledger_;
    PaymentSaga& saga_;
    const ProviderClient& provider_;
    const PaymentMetrics& metrics_;
};

}  // namespace admit::payment

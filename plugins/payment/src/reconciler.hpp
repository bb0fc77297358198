// Reconciler: one pass of the reconciliation job (every reconcile_interval_ms, and on demand from
// POST /api/v1/admin/payments/reconcile).
//  1. Unresolved payments (UNKNOWN, or IN_PROGRESS longer than in_progress_timeout_ms, e.g. after
//     a crash between the provider's answer and our commit) are asked about with
//     `<provider>.query`: charged -> APPROVED and the saga continues; no charge (not found,
//     declined, or only approved at checkout and never confirmed) -> FAILED and the seats go
//     back; no answer -> asked again next pass. Never guessed.
//  2. Charged payments changed since their last check (and without a refund in flight) are
//     compared with the provider's record (total and balance); a difference is raised: problem
//     column (admin list), payment.reconciliation_mismatch event, metric.
//  3. Refunds PENDING longer than refund_retry_ms are executed again (same idempotency key).
//  4. APPROVED payments whose saga did not complete (no saga_completed_at: the outbox parked
//     the event, or is still retrying) are completed again (idempotent).
//  5. READY payments whose hold expired (never sent to the provider, so nothing was charged) are
//     abandoned: FAILED with RESERVATION_EXPIRED, so no live payment lingers.
// Thread-safe; several hosts may run passes (every step is conditional).
#pragma once

#include "payment_ledger.hpp"
#include "payment_saga.hpp"
#include "payment_settings.hpp"
#include "payment_store.hpp"
#include "provider_client.hpp"

#include <admit/sdk.hpp>

namespace admit::payment {

/// What one pass did.
struct ReconcileReport {
    int64_t resolved_approved = 0;
    int64_t resolved_failed = 0;
    int64_t still_unknown = 0;
    int64_t compared = 0;
    int64_t mismatches = 0;
    int64_t refunds_retried = 0;
    int64_t abandoned = 0;
    int64_t sagas_completed = 0;

    boost::json::object json() const {
        return {{"resolvedApproved", resolved_approved},
                {"resolvedFailed", resolved_failed},
                {"stillUnknown", still_unknown},
                {"compared", compared},
                {"mismatches", mismatches},
                {"refundsRetried", refunds_retried},
                {"abandoned", abandoned},
                {"sagasCompleted", sagas_completed}};
    }
};

class Reconciler {
  public:
    Reconciler(sdk::Host& host, PaymentStore& store, PaymentLedger& ledger, PaymentSaga& saga,
               const ProviderClient& provider, const PaymentSettings& settings,
               const PaymentMetrics& metrics)
        : host_(host),
          store_(store),
          ledger_(ledger),
          saga_(saga),
          provider_(provider),
          settings_(settings),
          metrics_(metrics) {}

    sdk::Result<ReconcileReport> run_pass();

  private:
    sdk::Status resolve(const PaymentRow& row, ReconcileReport& report);
    sdk::Status compare(const PaymentRow& row, ReconcileReport& report);

    sdk::Host& host_;
    PaymentStore& store_;
    PaymentLedger& ledger_;
    PaymentSaga& saga_;
    const ProviderClient& provider_;
    const PaymentSettings& settings_;
    const PaymentMetrics& metrics_;
};

}  // namespace admit::payment

// The payment plugin's configuration ([plugin.payment]) and metrics, shared by its parts.
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <string>

namespace admit::payment {

struct PaymentSettings {
    std::string provider = "toss";  ///< provider adapter plugin (`<provider>.confirm`)
    std::string success_url = "/payments/success";
    std::string fail_url = "/payments/fail";
    int64_t hold_protection_ms = 120'000;     ///< asked of reservation.extend_for_payment
    int64_t in_progress_timeout_ms = 60'000;  ///< IN_PROGRESS longer than this is reconciled
    int64_t reconcile_interval_ms = 300'000;
    int64_t reconcile_batch = 200;
    int64_t refund_retry_ms = 60'000;  ///< PENDING refunds older than this: retried
};

/// Metrics of the plugin (admit_payment_*). Recording is thread-safe.
struct PaymentMetrics {
    sdk::Metric approved;
    sdk::Metric failed;
    sdk::Metric unknown;
    sdk::Metric refunded;
    sdk::Metric mismatches;
    sdk::Metric confirm_seconds;
};

}  // namespace admit::payment

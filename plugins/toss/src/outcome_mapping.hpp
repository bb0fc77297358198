// How a Toss answer becomes an outcome of the payment_provider contract (plugins/README.md).
//
// The rule that matters: DECLINED / REFUSED only when Toss certainly did not take the money (or
// give it back). Anything the adapter cannot prove — a 5xx, an unknown code, "already processed"
// (our own earlier confirm may have charged), "request in progress", no answer — is UNKNOWN, and
// the payment plugin queries later. The full table is in plugins/toss/README.md.
#pragma once

#include <string_view>

namespace admit::toss {

enum class ConfirmOutcome { approved, declined, unknown };
enum class CancelOutcome { cancelled, refused, unknown };

/// A confirm that was answered with a non-2xx `http_status` and Toss error `code`.
ConfirmOutcome confirm_outcome_of_error(int http_status, std::string_view code);
/// A cancel answered with a non-2xx status and error code.
CancelOutcome cancel_outcome_of_error(int http_status, std::string_view code);

/// Toss Payment.status -> the contract's status ("APPROVED", "PARTIALLY_CANCELLED", "CANCELLED",
/// "DECLINED", "PENDING"); "" for a status this adapter does not know.
std::string_view contract_status(std::string_view toss_status);

std::string_view to_string(ConfirmOutcome outcome);
std::string_view to_string(CancelOutcome outcome);

}  // namespace admit::toss

#include "outcome_mapping.hpp"

#include <algorithm>
#include <iterator>

namespace admit::toss {

namespace {

// Confirm errors after which nothing was charged: the card or the buyer refused, the payment
// cannot exist, or the request itself was refused before processing.
constexpr std::string_view kConfirmDeclines[] = {
    "REJECT_CARD_PAYMENT",
    "REJECT_CARD_COMPANY",
    "REJECT_ACCOUNT_PAYMENT",
    "REJECT_TOSSPAY_INVALID_ACCOUNT",
    "INVALID_REJECT_CARD",
    "INVALID_CARD_EXPIRATION",
    "INVALID_STOPPED_CARD",
    "INVALID_CARD_LOST_OR_STOLEN",
    "INVALID_CARD_NUMBER",
    "INVALID_CARD_INFO_RE_REGISTER",
    "INVALID_PASSWORD",
    "INVALID_EMAIL",
    "RESTRICTED_CARD",
    "RESTRICTED_TRANSFER_ACCOUNT",
    "EXCEED_MAX_DAILY_PAYMENT_COUNT",
    "EXCEED_MAX_PAYMENT_AMOUNT",
    "EXCEED_MAX_CARD_INSTALLMENT_PLAN",
    "EXCEED_MAX_AMOUNT",
    "EXCEED_MAX_ONE_DAY_AMOUNT",
    "EXCEED_MAX_MONTHLY_PAYMENT_AMOUNT",
    "BELOW_MINIMUM_AMOUNT",
    "NOT_SUPPORTED_INSTALLMENT_PLAN_CARD_OR_MERCHANT",
    "NOT_ALLOWED_POINT_USE",
    "NOT_AVAILABLE_PAYMENT",
    "NOT_AVAILABLE_BANK",
    "INVALID_UNREGISTERED_SUBMALL",
    "INVALID_AUTHORIZE_AUTH",
    "PAY_PROCESS_CANCELED",
    "PAY_PROCESS_ABORTED",
    "NOT_FOUND_PAYMENT",
    "NOT_FOUND_PAYMENT_SESSION",
    "INVALID_REQUEST",  // a field (amount, orderId) differs from the approval: nothing charged
    "UNAUTHORIZED_KEY",
    "INVALID_API_KEY",
    "FORBIDDEN_REQUEST",
};

// Cancel errors after which nothing was refunded.
constexpr std::string_view kCancelRefusals[] = {
    "NOT_CANCELABLE_AMOUNT",
    "NOT_CANCELABLE_PAYMENT",
    "NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER",
    "EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT",
    "NOT_MATCHES_REFUNDABLE_AMOUNT",
    "INVALID_REFUND_ACCOUNT_INFO",
    "INVALID_REFUND_ACCOUNT_NUMBER",
    "REFUND_REJECTED",
    "NOT_FOUND_PAYMENT",
    "INVALID_REQUEST",
    "UNAUTHORIZED_KEY",
    "INVALID_API_KEY",
    "FORBIDDEN_REQUEST",
};

template <std::size_t N>
bool listed(const std::string_view (&codes)[N], std::string_view code) {
    return std::find(std::begin(codes), std::end(codes), code) != std::end(codes);
}

}  // namespace

ConfirmOutcome confirm_outcome_of_error(int http_status, std::string_view code) {
    // 5xx, 409 (IDEMPOTENT_REQUEST_PROCESSING), 429 and anything unlisted: not proven refused.
    if (http_status >= 400 && http_status < 500 && http_status != 409 && http_status != 429 &&
        listed(kConfirmDeclines, code)) {
        return ConfirmOutcome::declined;
    }
    return ConfirmOutcome::unknown;  // ALREADY_PROCESSED_PAYMENT included: maybe our own charge
}

CancelOutcome cancel_outcome_of_error(int http_status, std::string_view code) {
    if (http_status >= 400 && http_status < 500 && http_status != 409 && http_status != 429 &&
        listed(kCancelRefusals, code)) {
        return CancelOutcome::refused;
    }
    return CancelOutcome::unknown;  // ALREADY_CANCELED_PAYMENT included: maybe our own cancel
}

std::string_view contract_status(std::string_view toss_status) {
    if (toss_status == "DONE") return "APPROVED";
    if (toss_status == "PARTIAL_CANCELED") return "PARTIALLY_CANCELLED";
    if (toss_status == "CANCELED") return "CANCELLED";
    if (toss_status == "ABORTED" || toss_status == "EXPIRED") return "DECLINED";
    if (toss_status == "READY" || toss_status == "IN_PROGRESS" ||
        toss_status == "WAITING_FOR_DEPOSIT") {
        return "PENDING";
    }
    return "";
}

std::string_view to_string(ConfirmOutcome outcome) {
    switch (outcome) {
        case ConfirmOutcome::approved:
            return "APPROVED";
        case ConfirmOutcome::declined:
            return "DECLINED";
        case ConfirmOutcome::unknown:
            return "UNKNOWN";
    }
    return "UNKNOWN";
}

std::string_view to_string(CancelOutcome outcome) {
    switch (outcome) {
        case CancelOutcome::cancelled:
            return "CANCELLED";
        case CancelOutcome::refused:
            return "REFUSED";
        case CancelOutcome::unknown:
            return "UNKNOWN";
    }
    return "UNKNOWN";
}

}  // namespace admit::toss

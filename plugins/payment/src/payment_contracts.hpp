// The contracts of the payment routes (ABI 1.2): what each route accepts and answers, one source
// for the host's input validation and /openapi.json. Business rules (which reservation is
// payable, the refundable balance) stay in the handlers (purchase_flow.cpp, payment_plugin.cpp).
#pragma once

#include <string>
#include <string_view>

#include <admit/sdk/contract.hpp>

namespace admit::payment::contracts {

/// A payment as payment_json() writes it.
inline constexpr std::string_view kPayment = R"({"type": "object",
  "required": ["paymentId", "orderId", "reservationId", "userId", "provider", "method", "status",
               "amount", "refundedAmount", "createdAt", "updatedAt"],
  "properties": {
    "paymentId": {"type": "string"},
    "orderId": {"type": "string", "description": "the order id the provider knows"},
    "reservationId": {"type": "string"},
    "userId": {"type": "string"},
    "provider": {"type": "string"},
    "method": {"type": "string"},
    "status": {"enum": ["READY", "IN_PROGRESS", "APPROVED", "FAILED", "UNKNOWN",
                        "PARTIALLY_REFUNDED", "REFUNDED"]},
    "amount": "@Money",
    "refundedAmount": "@Money",
    "approvedAmount": "@Money",
    "approvedAt": "@Time",
    "checkoutUrl": {"type": "string", "description": "where the buyer pays"},
    "feesRevision": {"type": "string"},
    "failure": {"type": "object", "required": ["code", "message"], "properties": {
      "code": {"type": "string"}, "message": {"type": "string"}}},
    "problem": {"type": "string", "description": "what reconciliation found wrong"},
    "createdAt": "@Time",
    "updatedAt": "@Time"}})";

inline std::string payment() {
    return sdk::contract::compose(
        kPayment, {{"Time", sdk::contract::kTime}, {"Money", sdk::contract::kMoney}});
}

/// The paging of the list routes: kPageQuery's members, with the cursor bound the handler
/// enforces (at most 100 characters); `filters` are further members (may be empty).
inline std::string page_query(std::string_view filters) {
    std::string out = R"({"type": "object", "properties": {
    "limit": {"type": "integer", "minimum": 1, "maximum": 200,
              "description": "page size, default 50"},
    "cursor": {"type": "string", "maxLength": 100,
               "description": "nextCursor of the previous page"})";
    if (!filters.empty()) {
        out += ", ";
        out += filters;
    }
    out += "}}";
    return out;
}

/// POST /payments/prepare answers 201 for a new payment and 200 with the live READY one when
/// the reservation has it already; a contract has one success status, so this one is not
/// registered yet (see payment_plugin.cpp).
inline std::string prepare() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["reservationId", "method"], "properties": {
    "reservationId": {"type": "string", "minLength": 1, "maxLength": 100},
    "method": {"type": "string", "minLength": 1, "maxLength": 40,
               "description": "the payment method as the provider names it, e.g. CARD"}}},
  "response": {"status": 201, "otherStatuses": [200],
               "description": "the payment, READY, with its checkout URL; 200: the live READY payment of this reservation",
               "schema": "@Payment"},
  "errors": {"404": ["NOT_FOUND"],
             "409": ["ALREADY_PAID", "RESERVATION_EXPIRED", "PAYMENT_IN_PROGRESS"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Payment", payment()}});
}

/// POST /payments/confirm answers 200 (APPROVED, FAILED) and 202 (UNKNOWN: reconciliation
/// decides); a contract has one success status, so this one is not registered yet.
inline std::string confirm() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["paymentId"], "properties": {
    "paymentId": {"type": "string", "minLength": 1},
    "paymentKey": {"type": ["string", "null"], "maxLength": 200,
                   "description": "the provider's key of the payment; providerKey is accepted too"},
    "providerKey": {"type": ["string", "null"], "description": "the same as paymentKey"}}},
  "response": {"description": "the settled payment, 200: APPROVED with the reservation CONFIRMED (reservationStatus), or FAILED; 202: the provider's outcome is not known yet, UNKNOWN until reconciliation settles it; 409 PAYMENT_IN_PROGRESS: paid, the reservation is still being confirmed (ask again); 409 RESERVATION_EXPIRED: paid after the hold was lost, refunded in full",
               "otherStatuses": [202], "schema": "@Payment"},
  "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"],
             "409": ["PAYMENT_IN_PROGRESS", "RESERVATION_EXPIRED"], "422": ["AMOUNT_MISMATCH"],
             "503": ["PROVIDER_UNAVAILABLE", "DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Payment", payment()}});
}

/// The provider's callback: its body is the provider's (checked by its signature over the raw
/// bytes), so no request schema: anything unsigned or malformed is the provider's 401.
inline std::string webhook() {
    return R"({
  "response": {"description": "the event is recorded; a repeated event id is a duplicate",
               "schema": {"type": "object", "required": ["received", "duplicate"], "properties": {
                 "received": {"const": true}, "duplicate": {"type": "boolean"}}}},
  "errors": {"401": ["UNAUTHENTICATED"], "404": ["NOT_FOUND"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})";
}

/// A refund as the get route writes it.
inline constexpr std::string_view kRefund = R"({"type": "object",
  "required": ["refundId", "amount", "reason", "status", "createdAt"],
  "properties": {"refundId": {"type": "string"}, "amount": "@Money",
                 "reason": {"type": "string"}, "status": {"type": "string"},
                 "policyRevision": {"type": "string"}, "createdAt": "@Time"}})";

inline std::string get() {
    return sdk::contract::compose(R"({
  "response": {"description": "the payment with its refunds", "schema": {"allOf": ["@Payment",
    {"required": ["refunds"], "properties": {"refunds": {"type": "array", "items": "@Refund"}}}]}},
  "errors": {"404": ["NOT_FOUND"]}})",
                                  {{"Payment", payment()},
                                   {"Refund", kRefund},
                                   {"Money", sdk::contract::kMoney},
                                   {"Time", sdk::contract::kTime}});
}

inline std::string list() {
    return sdk::contract::compose(
        R"({"query": "@Page",
  "response": {"description": "the caller's payments, newest first", "schema": "@List"}})",
        {{"Page", page_query("")}, {"List", sdk::contract::page_of(payment())}});
}

/// Every payment; ?status= and ?problem= filter.
inline std::string list_all() {
    return sdk::contract::compose(R"({"query": "@Page",
  "response": {"description": "every payment, newest first", "schema": "@List"}})",
                                  {{"Page", page_query(R"(
    "status": {"type": "string", "enum": ["READY", "IN_PROGRESS", "APPROVED", "FAILED", "UNKNOWN",
                                          "PARTIALLY_REFUNDED", "REFUNDED"]},
    "problem": {"type": "boolean", "description": "true: only payments reconciliation flagged"})")},
                                   {"List", sdk::contract::page_of(payment())}});
}

/// A staff refund: amount is an integer or {amount, currency} (the currency is the payment's);
/// the balance check is the handler's (422).
inline std::string cancel() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["amount", "reason"], "properties": {
    "amount": {"anyOf": [
      {"type": "integer", "minimum": 1},
      {"type": "object", "required": ["amount"], "properties": {
        "amount": {"type": "integer", "minimum": 1}, "currency": {"type": "string"}}}],
      "description": "in the currency's minor unit"},
    "reason": {"type": "string", "minLength": 1, "maxLength": 200}}},
  "response": {"description": "the payment, with the refund's id when one was made",
               "schema": {"allOf": ["@Payment", {"properties": {"refundId": {"type": "string"}}}]}},
  "errors": {"404": ["NOT_FOUND"], "409": ["INVALID_STATE"], "422": ["AMOUNT_EXCEEDS_BALANCE"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Payment", payment()}});
}

/// As ReconcileReport::json() writes it.
inline std::string reconcile() {
    return R"({"response": {"description": "what the pass did", "schema": {"type": "object",
  "required": ["resolvedApproved", "resolvedFailed", "stillUnknown", "compared", "mismatches",
               "refundsRetried", "abandoned", "sagasCompleted"],
  "properties": {"resolvedApproved": {"type": "integer"}, "resolvedFailed": {"type": "integer"},
                 "stillUnknown": {"type": "integer"}, "compared": {"type": "integer"},
                 "mismatches": {"type": "integer"}, "refundsRetried": {"type": "integer"},
                 "abandoned": {"type": "integer"}, "sagasCompleted": {"type": "integer"}}}},
  "errors": {"503": ["DEPENDENCY_UNAVAILABLE"]}})";
}

}  // namespace admit::payment::contracts

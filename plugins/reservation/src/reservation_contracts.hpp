// The contracts of the reservation routes (ABI 1.2): what each route accepts and answers, one
// source for the host's input validation and /openapi.json. The host checks query parameters and
// bodies against them before a handler runs; business rules (which seats exist, the purchase
// limit) stay in the handlers (hold_request.cpp, hold_service.cpp).
#pragma once

#include <string>
#include <string_view>

#include <admit/sdk/contract.hpp>

namespace admit::reservation::contracts {

/// A reservation as reservation_json() writes it.
inline constexpr std::string_view kReservation = R"({"type": "object",
  "required": ["reservationId", "status", "scheduleId", "productId", "userId", "seating",
               "seatIds", "quantity", "expiresAt", "price", "createdAt"],
  "properties": {
    "reservationId": {"type": "string"},
    "status": {"enum": ["PENDING_PAYMENT", "CONFIRMED", "PAYMENT_FAILED", "CANCELLED", "EXPIRED",
                        "RELEASED"]},
    "statusReason": {"type": "string"},
    "scheduleId": {"type": "string"},
    "productId": {"type": "string"},
    "userId": {"type": "string"},
    "seating": {"enum": ["RESERVED", "GENERAL_ADMISSION"]},
    "seatIds": {"type": "array", "items": {"type": "string"}},
    "seats": {"type": "array", "description": "the held seats (reserved seating: one per seat) or units (general admission: one line per grade) with their grade and price",
      "items": {"type": "object", "required": ["gradeId", "price"], "properties": {
        "seatId": {"type": "string"},
        "label": {"type": "string", "description": "the seat's label, e.g. A-12"},
        "gradeId": {"type": "string"},
        "grade": {"type": "string", "description": "general admission: the grade's name"},
        "quantity": {"type": "integer", "minimum": 1, "description": "general admission"},
        "price": "@Money"}}},
    "gradeId": {"type": "string"},
    "quantity": {"type": "integer", "minimum": 1},
    "expiresAt": "@Time",
    "paymentHoldUntil": "@Time",
    "price": {"type": "object", "required": ["subtotal", "fees", "total"], "properties": {
      "subtotal": "@Money", "fees": "@Money", "total": "@Money"}},
    "refund": "@Money",
    "paymentId": {"type": "string"},
    "policyRevision": {"type": ["object", "null"],
                       "description": "the policy revisions that decided the price and window"},
    "createdAt": "@Time"}})";

inline std::string reservation() {
    return sdk::contract::compose(
        kReservation, {{"Time", sdk::contract::kTime}, {"Money", sdk::contract::kMoney}});
}

inline std::string create() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["scheduleId"], "properties": {
    "scheduleId": {"type": "string", "minLength": 1, "maxLength": 100},
    "seatIds": {"type": ["array", "null"], "minItems": 1,
                "items": {"type": "string", "minLength": 1, "maxLength": 100},
                "description": "reserved seating: the seats to hold, all or nothing"},
    "gradeId": {"type": ["string", "null"], "minLength": 1, "maxLength": 100,
                "description": "general admission: the grade"},
    "quantity": {"type": ["integer", "null"], "minimum": 1,
                 "description": "general admission: how many units"}}},
  "response": {"status": 201, "description": "the hold, with its price and expiry",
               "schema": "@Reservation"},
  "errors": {"403": ["ENTRY_REQUIRED"], "404": ["NOT_FOUND"],
             "409": ["SEAT_TAKEN", "SOLD_OUT", "IDEMPOTENCY_IN_FLIGHT"],
             "422": ["LIMIT_EXCEEDED", "NOT_ON_SALE", "IDEMPOTENCY_KEY_REUSED"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Reservation", reservation()}});
}

inline std::string list() {
    return sdk::contract::compose(
        R"({"query": "@Page", "response": {"description": "the caller's reservations, newest first",
            "schema": "@List"}})",
        {{"Page", sdk::contract::kPageQuery}, {"List", sdk::contract::page_of(reservation())}});
}

inline std::string get() {
    return sdk::contract::compose(
        R"({"response": {"description": "the reservation", "schema": "@Reservation"},
            "errors": {"404": ["NOT_FOUND"]}})",
        {{"Reservation", reservation()}});
}

inline std::string release() {
    return sdk::contract::compose(
        R"({"response": {"description": "the released reservation", "schema": "@Reservation"},
            "errors": {"404": ["NOT_FOUND"], "409": ["INVALID_STATE", "HOLD_EXPIRED"]}})",
        {{"Reservation", reservation()}});
}

inline std::string cancel() {
    return sdk::contract::compose(
        R"({"response": {"description": "the cancelled reservation with its refund",
                         "schema": "@Reservation"},
            "errors": {"404": ["NOT_FOUND"], "409": ["INVALID_STATE", "TICKET_USED"],
                       "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Reservation", reservation()}});
}

inline std::string refund_quote() {
    return sdk::contract::compose(
        R"json({"response": {"description": "what cancelling now would refund (refunds.lua)",
  "schema": {"type": "object",
    "required": ["reservationId", "paid", "refund", "sharePercent", "rule", "policyRevision",
                 "fallback", "quotedAt"],
    "properties": {
      "reservationId": {"type": "string"},
      "paid": "@Money",
      "refund": "@Money",
      "sharePercent": {"type": "integer", "minimum": 0, "maximum": 100},
      "rule": {"type": "string", "description": "the refund rule that applied, in the policy's words"},
      "policyRevision": {"type": "string"},
      "fallback": {"type": "boolean",
                   "description": "true when the policy failed and its fallback answered"},
      "quotedAt": "@Time"}}},
  "errors": {"404": ["NOT_FOUND"], "409": ["INVALID_STATE"]}})json",
        {{"Time", sdk::contract::kTime}, {"Money", sdk::contract::kMoney}});
}

}  // namespace admit::reservation::contracts

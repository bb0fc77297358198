// The contracts of the product routes and the seat stream (ABI 1.2): what each route accepts and
// answers, one source for the host's input validation and /openapi.json. The host checks query
// parameters and bodies against them before a handler runs; what the handlers check beyond them
// stays there (product_input.cpp: saleEndsAt after saleStartsAt, the venue currency, unique grade
// names, quantity versus seating; the stage's owner and state; the lifecycle's moves).
//
// Lengths the handlers count in bytes are written as the same number of characters, which never
// refuses a body the handler accepts. Bodies that are optional (the lifecycle moves other than
// reject read one only when it is not empty) have no request schema: the host would refuse an
// empty body.
#pragma once

#include <string>
#include <string_view>

#include <admit/sdk/contract.hpp>

namespace admit::product::contracts {

/// lifecycle.hpp kStates.
inline constexpr std::string_view kStateNames = R"(["DRAFT", "PENDING", "APPROVED", "SCHEDULED",
    "ON_SALE", "CLOSED", "COMPLETED", "CANCELLED"])";
inline constexpr std::string_view kStatus = R"({"type": "string", "enum": "@States"})";

inline std::string status() { return sdk::contract::compose(kStatus, {{"States", kStateNames}}); }

inline constexpr std::string_view kSeating = R"({"enum": ["RESERVED", "GENERAL_ADMISSION"]})";

/// A product as summary_json() writes it (the list items).
inline constexpr std::string_view kSummary = R"({"type": "object",
  "required": ["productId", "sellerId", "title", "description", "category", "stageId", "seating",
               "status", "saleStartsAt", "saleEndsAt", "rejectReason", "cancelReason",
               "createdAt", "updatedAt"],
  "properties": {
    "productId": {"type": "string"},
    "sellerId": {"type": "string"},
    "title": {"type": "string"},
    "description": {"type": "string"},
    "category": {"type": "string"},
    "stageId": {"type": "string"},
    "seating": "@Seating",
    "status": "@Status",
    "saleStartsAt": "@Time",
    "saleEndsAt": "@Time",
    "rejectReason": {"type": ["string", "null"], "description": "the last rejection's reason"},
    "cancelReason": {"type": ["string", "null"]},
    "createdAt": "@Time",
    "updatedAt": "@Time"}})";

/// The grades and schedules product_json() adds to the summary.
inline constexpr std::string_view kDetails = R"({"type": "object",
  "required": ["grades", "schedules"],
  "properties": {
    "grades": {"type": "array", "items": {"type": "object",
      "required": ["gradeId", "name", "price", "total"], "properties": {
        "gradeId": {"type": "string"},
        "name": {"type": "string"},
        "price": "@Money",
        "total": {"type": "integer", "minimum": 0,
                  "description": "seats of the grade, or units for general admission"}}}},
    "schedules": {"type": "array", "items": {"type": "object",
      "required": ["scheduleId", "startsAt", "endsAt", "queueRequired", "grades"], "properties": {
        "scheduleId": {"type": "string"},
        "startsAt": "@Time",
        "endsAt": "@Time",
        "queueRequired": {"type": "boolean"},
        "grades": {"type": "array", "description": "per grade counts, from approval on",
          "items": {"type": "object",
            "required": ["gradeId", "total", "held", "sold", "remaining"], "properties": {
              "gradeId": {"type": "string"},
              "total": {"type": "integer"},
              "held": {"type": "integer"},
              "sold": {"type": "integer"},
              "remaining": {"type": "integer"}}}}}}}}})";

inline std::string summary() {
    return sdk::contract::compose(
        kSummary, {{"Seating", kSeating}, {"Status", status()}, {"Time", sdk::contract::kTime}});
}

/// A product as product_json() writes it: the summary with its grades and schedules.
inline std::string product() {
    const auto details = sdk::contract::compose(
        kDetails, {{"Money", sdk::contract::kMoney}, {"Time", sdk::contract::kTime}});
    return sdk::contract::compose(R"({"allOf": ["@Summary", "@Details"]})",
                                  {{"Summary", summary()}, {"Details", details}});
}

/// A schedule in a request (parse_schedule).
inline constexpr std::string_view kScheduleInput = R"({"type": "object",
  "required": ["startsAt"], "properties": {
    "startsAt": {"type": "string", "format": "date-time", "maxLength": 64},
    "durationMinutes": {"type": ["integer", "null"], "minimum": 1, "maximum": 1440,
                        "description": "default 120"},
    "queueRequired": {"type": ["boolean", "null"],
                      "description": "buyers pass the waiting room first; default false"}}})";

/// A grade in a request (parse_grade).
inline constexpr std::string_view kGradeInput = R"({"type": "object",
  "required": ["name", "price"], "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 32,
             "description": "unique within the product"},
    "price": {"type": "object", "required": ["amount", "currency"], "properties": {
      "amount": {"type": "integer", "minimum": 0, "maximum": 1000000000000,
                 "description": "in the currency's minor unit"},
      "currency": {"type": "string", "minLength": 1, "description": "the venue's currency"}}},
    "stageGrade": {"type": ["string", "null"], "maxLength": 32,
                   "description": "reserved seating: the layout grade whose seats it takes; default name"},
    "seatIds": {"type": ["array", "null"], "minItems": 1, "items": {"type": "string"},
                "description": "reserved seating: these seats instead of a layout grade"},
    "quantity": {"type": ["integer", "null"], "minimum": 1, "maximum": 1000000,
                 "description": "general admission only, and required there"}}})";

inline std::string create_product() {
    return sdk::contract::compose(
        R"({
  "request": {"type": "object",
    "required": ["title", "category", "stageId", "saleStartsAt", "saleEndsAt", "grades"],
    "properties": {
      "title": {"type": "string", "minLength": 1, "maxLength": 200},
      "description": {"type": ["string", "null"], "maxLength": 5000},
      "category": {"type": "string", "minLength": 1, "maxLength": 40},
      "stageId": {"type": "string", "minLength": 1, "maxLength": 64,
                  "description": "an ACTIVE stage of one of the caller's halls"},
      "seating": {"type": ["string", "null"], "enum": ["RESERVED", "GENERAL_ADMISSION", null],
                  "description": "default RESERVED"},
      "saleStartsAt": {"type": "string", "format": "date-time", "maxLength": 64},
      "saleEndsAt": {"type": "string", "format": "date-time", "maxLength": 64,
                     "description": "after saleStartsAt"},
      "grades": {"type": "array", "minItems": 1, "maxItems": 50, "items": "@Grade"},
      "schedules": {"type": ["array", "null"], "maxItems": 100, "items": "@Schedule"}}},
  "response": {"status": 201, "description": "the new DRAFT product", "schema": "@Product"},
  "errors": {"403": ["FORBIDDEN"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Grade", kGradeInput}, {"Schedule", kScheduleInput}, {"Product", product()}});
}

inline std::string list_products() {
    return sdk::contract::compose(
        R"({
  "query": {"type": "object", "properties": {
    "limit": {"type": "integer", "minimum": 1, "maximum": 200, "description": "page size, default 50"},
    "cursor": {"type": "string", "maxLength": 200, "description": "nextCursor of the previous page"},
    "status": {"type": "string", "enum": "@States"},
    "q": {"type": "string", "description": "a part of the title, case-insensitive"},
    "from": {"type": "string", "format": "date-time", "maxLength": 64,
             "description": "products with a schedule starting at or after"},
    "to": {"type": "string", "format": "date-time", "maxLength": 64,
           "description": "products with a schedule starting before"},
    "sellerId": {"type": "string"}}},
  "response": {"description": "the products the caller may see, oldest first",
               "schema": "@List"}})",
        {{"States", kStateNames}, {"List", sdk::contract::page_of(summary())}});
}

inline std::string get_product() {
    return sdk::contract::compose(
        R"({"response": {"description": "the product with its grades and schedules",
            "schema": "@Product"}, "errors": {"404": ["NOT_FOUND"]}})",
        {{"Product", product()}});
}

inline std::string update_product() {
    return sdk::contract::compose(R"({
  "request": {"type": "object",
    "description": "the fields to change (absent or null: unchanged); stageId, seating and schedules cannot change",
    "properties": {
      "title": {"type": ["string", "null"], "maxLength": 200},
      "description": {"type": ["string", "null"], "maxLength": 5000},
      "category": {"type": ["string", "null"], "maxLength": 40},
      "saleStartsAt": {"type": ["string", "null"], "format": "date-time", "maxLength": 64},
      "saleEndsAt": {"type": ["string", "null"], "format": "date-time", "maxLength": 64},
      "grades": {"type": ["array", "null"], "minItems": 1, "maxItems": 50, "items": "@Grade",
                 "description": "replaces every grade"}}},
  "response": {"description": "the product after the change", "schema": "@Product"},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"], "409": ["INVALID_STATE"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Grade", kGradeInput}, {"Product", product()}});
}

/// submit, approve and cancel: an optional body {"reason": "..."} (cancel keeps the reason).
inline std::string lifecycle_move(std::string_view description, bool can_be_incomplete) {
    std::string text = R"({"response": {"description": ")";
    text += description;
    text += R"(", "schema": "@Product"},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"], "409": ["INVALID_STATE"])";
    if (can_be_incomplete) text += R"(, "422": ["PRODUCT_INCOMPLETE"])";
    text += "}}";
    return sdk::contract::compose(text, {{"Product", product()}});
}

inline std::string reject() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["reason"], "properties": {
    "reason": {"type": "string", "minLength": 1, "maxLength": 1000}}},
  "response": {"description": "the product, back in DRAFT with the reason", "schema": "@Product"},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"], "409": ["INVALID_STATE"]}})",
                                  {{"Product", product()}});
}

inline std::string add_schedule() {
    return sdk::contract::compose(R"({
  "request": "@Schedule",
  "response": {"status": 201, "description": "the new schedule", "schema": {"type": "object",
    "required": ["scheduleId", "productId", "startsAt", "endsAt"], "properties": {
      "scheduleId": {"type": "string"}, "productId": {"type": "string"},
      "startsAt": "@Time", "endsAt": "@Time"}}},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"], "409": ["INVALID_STATE"]}})",
                                  {{"Schedule", kScheduleInput}, {"Time", sdk::contract::kTime}});
}

/// The seat map as SeatMap::render() writes it: seats column-wise, each one array in the order of
/// "columns", its grade an index into "grades".
inline std::string seat_map() {
    return sdk::contract::compose(
        R"({"type": "object",
  "required": ["scheduleId", "productId", "productStatus", "seating", "version", "grades",
               "columns", "seats"],
  "properties": {
    "scheduleId": {"type": "string"},
    "productId": {"type": "string"},
    "productStatus": "@Status",
    "seating": "@Seating",
    "version": {"type": "string", "description": "grows with every change; the SSE event id"},
    "grades": {"type": "array", "items": {"type": "object",
      "required": ["gradeId", "name", "price", "total", "remaining"], "properties": {
        "gradeId": {"type": "string"},
        "name": {"type": "string"},
        "price": "@Money",
        "total": {"type": "integer"},
        "remaining": {"type": "integer", "description": "neither held nor sold"}}}},
    "columns": {"const": ["seatId", "label", "grade", "x", "y", "status"]},
    "seats": {"type": "array", "description":
      "[seatId, label, grade (index into grades), x, y, status (AVAILABLE, HELD or SOLD)]",
      "items": {"type": "array", "minItems": 6, "maxItems": 6,
                "items": {"type": ["string", "number"]}}}}})",
        {{"Status", status()}, {"Seating", kSeating}, {"Money", sdk::contract::kMoney}});
}

inline std::string schedule_seats() {
    return sdk::contract::compose(R"({
  "response": {"description": "seat availability; 304 for a matching If-None-Match, gzip on Accept-Encoding",
               "schema": "@SeatMap"},
  "errors": {"404": ["NOT_FOUND"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"SeatMap", seat_map()}});
}

inline constexpr std::string_view kSeatStream = R"({
  "response": {"description": "a snapshot event with the seat map, then seat events {seatIds, status} and stock events {gradeId, remaining}, each with the map version as its id"},
  "errors": {"404": ["NOT_FOUND"]}})";

}  // namespace admit::product::contracts

// The contracts of the arthall routes (ABI 1.2): what each route accepts and answers, one source
// for the host's input validation and /openapi.json. The host checks query parameters and bodies
// against them before a handler runs; what the handlers check beyond them stays there (layout.cpp:
// fromRow/toRow within the section's rows, unique seat labels, the seat limit of a stage; who may
// manage a hall).
//
// Lengths the handlers count in bytes are written as the same number of characters, which never
// refuses a body the handler accepts.
#pragma once

#include <string>
#include <string_view>

#include <admit/sdk/contract.hpp>

namespace admit::arthall::contracts {

/// A hall as hall_json() writes it.
inline constexpr std::string_view kHall = R"({"type": "object",
  "required": ["hallId", "ownerId", "name", "address", "status", "createdAt", "updatedAt"],
  "properties": {
    "hallId": {"type": "string"},
    "ownerId": {"type": "string", "description": "the user who created the hall"},
    "name": {"type": "string"},
    "address": {"type": "string", "description": "empty when none was given"},
    "status": {"enum": ["ACTIVE", "INACTIVE"]},
    "createdAt": "@Time",
    "updatedAt": "@Time"}})";

/// A stage as stage_json() writes it.
inline constexpr std::string_view kStage = R"({"type": "object",
  "required": ["stageId", "hallId", "name", "status", "seatCount", "createdAt"],
  "properties": {
    "stageId": {"type": "string"},
    "hallId": {"type": "string"},
    "name": {"type": "string"},
    "status": {"enum": ["ACTIVE", "INACTIVE"]},
    "seatCount": {"type": "integer", "minimum": 0, "description": "the seats the layout generated"},
    "createdAt": "@Time"}})";

/// One section of a stage layout (layout.hpp describes the generation).
inline constexpr std::string_view kSection = R"({"type": "object",
  "required": ["name", "rows", "seatsPerRow"],
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 16, "pattern": "^[A-Za-z0-9]+$",
             "description": "1 to 16 ASCII letters or digits; the first part of seat labels"},
    "rows": {"type": "integer", "minimum": 1, "maximum": 500},
    "seatsPerRow": {"type": "integer", "minimum": 1, "maximum": 500},
    "rowLabels": {"type": ["string", "null"], "enum": ["letters", "numbers", null],
                  "description": "default letters: A..Z, AA, AB, ..."},
    "firstSeatNumber": {"type": ["integer", "null"], "minimum": 0, "maximum": 100000,
                        "description": "default 1"},
    "origin": {"type": ["object", "null"], "description": "the first seat of the first row",
               "properties": {"x": {"type": "number"}, "y": {"type": "number"}}},
    "spacing": {"type": ["object", "null"], "description": "between seats (x) and rows (y), default 1",
                "properties": {"x": {"type": "number", "exclusiveMinimum": 0},
                               "y": {"type": "number", "exclusiveMinimum": 0}}},
    "aisleAfter": {"type": ["array", "null"], "items": {"type": "integer"},
                   "description": "seat numbers followed by a gap of one seat"},
    "grade": {"type": ["string", "null"], "minLength": 1, "maxLength": 32,
              "description": "the grade of rows no block names, default GENERAL"},
    "gradeBlocks": {"type": ["array", "null"], "description": "later blocks win",
      "items": {"type": "object", "required": ["grade", "fromRow", "toRow"], "properties": {
        "grade": {"type": "string", "minLength": 1, "maxLength": 32},
        "fromRow": {"type": "integer", "minimum": 1, "maximum": 500,
                    "description": "1-based, at most the section's rows"},
        "toRow": {"type": "integer", "minimum": 1, "maximum": 500,
                  "description": "inclusive, from fromRow to the section's rows"}}}}}})";

inline std::string hall() {
    return sdk::contract::compose(kHall, {{"Time", sdk::contract::kTime}});
}
inline std::string stage() {
    return sdk::contract::compose(kStage, {{"Time", sdk::contract::kTime}});
}

inline std::string create_hall() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "address": {"type": ["string", "null"], "maxLength": 500}}},
  "response": {"status": 201, "description": "the new hall, owned by the caller",
               "schema": "@Hall"},
  "errors": {"422": ["LIMIT_EXCEEDED"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Hall", hall()}});
}

inline std::string list_halls() {
    return sdk::contract::compose(
        R"({"query": "@Page", "response": {"description": "the halls, oldest first",
            "schema": "@List"}})",
        {{"Page", sdk::contract::kPageQuery}, {"List", sdk::contract::page_of(hall())}});
}

inline std::string get_hall() {
    return sdk::contract::compose(R"({
  "response": {"description": "the hall with its stages", "schema": {"allOf": ["@Hall",
    {"type": "object", "required": ["stages"], "properties": {
      "stages": {"type": "array", "items": {"type": "object",
        "required": ["stageId", "name", "status", "seatCount"], "properties": {
          "stageId": {"type": "string"}, "name": {"type": "string"},
          "status": {"enum": ["ACTIVE", "INACTIVE"]},
          "seatCount": {"type": "integer", "minimum": 0}}}}}}]}},
  "errors": {"404": ["NOT_FOUND"]}})",
                                  {{"Hall", hall()}});
}

inline std::string update_hall() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "description": "the fields to change; absent or null: unchanged",
    "properties": {
      "name": {"type": ["string", "null"], "minLength": 1, "maxLength": 200},
      "address": {"type": ["string", "null"], "maxLength": 500},
      "status": {"type": ["string", "null"], "enum": ["ACTIVE", "INACTIVE", null]}}},
  "response": {"description": "the hall after the change", "schema": "@Hall"},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"]}})",
                                  {{"Hall", hall()}});
}

inline constexpr std::string_view kDeleteHall = R"({
  "response": {"status": 204, "description": "the hall, its stages and seats are deleted"},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"], "409": ["STAGE_IN_USE"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})";

inline std::string create_stage() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["name", "layout"], "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "layout": {"type": "object", "required": ["sections"], "properties": {
      "sections": {"type": "array", "minItems": 1, "items": "@Section"}}}}},
  "response": {"status": 201, "description": "the new stage with the number of generated seats",
               "schema": "@Stage"},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"], "422": ["LIMIT_EXCEEDED"]}})",
                                  {{"Section", kSection}, {"Stage", stage()}});
}

inline std::string list_stages() {
    return sdk::contract::compose(
        R"({"response": {"description": "all of the hall's stages, oldest first, in one page",
            "schema": "@List"}, "errors": {"404": ["NOT_FOUND"]}})",
        {{"List", sdk::contract::page_of(stage())}});
}

inline std::string get_stage() {
    return sdk::contract::compose(
        R"({"response": {"description": "the stage", "schema": "@Stage"},
            "errors": {"404": ["NOT_FOUND"]}})",
        {{"Stage", stage()}});
}

inline std::string update_stage() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "description": "the fields to change; absent or null: unchanged",
    "properties": {
      "name": {"type": ["string", "null"], "minLength": 1, "maxLength": 200},
      "status": {"type": ["string", "null"], "enum": ["ACTIVE", "INACTIVE", null]}}},
  "response": {"description": "the stage after the change", "schema": "@Stage"},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"], "409": ["STAGE_IN_USE"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Stage", stage()}});
}

inline constexpr std::string_view kDeleteStage = R"({
  "response": {"status": 204, "description": "the stage and its seats are deleted"},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"], "409": ["STAGE_IN_USE"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})";

/// The seat map, column-wise: each seat is one array in the order of "columns".
inline constexpr std::string_view kStageSeats = R"({
  "response": {"description": "every seat of the stage (active or not), in layout order",
    "schema": {"type": "object", "required": ["stageId", "seatCount", "columns", "seats"],
      "properties": {
        "stageId": {"type": "string"},
        "seatCount": {"type": "integer", "minimum": 0},
        "columns": {"const": ["seatId", "section", "row", "number", "label", "x", "y", "grade",
                              "status"]},
        "seats": {"type": "array", "description":
          "[seatId, section, row, number, label, x, y, grade, status (ACTIVE or INACTIVE)]",
          "items": {"type": "array", "minItems": 9, "maxItems": 9,
                    "items": {"type": ["string", "number"]}}}}}},
  "errors": {"404": ["NOT_FOUND"]}})";

inline constexpr std::string_view kUpdateSeat = R"({
  "request": {"type": "object", "required": ["status"], "properties": {
    "status": {"enum": ["ACTIVE", "INACTIVE"]}}},
  "response": {"description": "the seat's new status", "schema": {"type": "object",
    "required": ["seatId", "status"], "properties": {
      "seatId": {"type": "string"}, "status": {"enum": ["ACTIVE", "INACTIVE"]}}}},
  "errors": {"403": ["FORBIDDEN"], "404": ["NOT_FOUND"], "409": ["STAGE_IN_USE"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})";

}  // namespace admit::arthall::contracts

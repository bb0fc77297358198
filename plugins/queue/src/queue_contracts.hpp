// The contracts of the queue routes and stream (ABI 1.2): what each route accepts and answers, one
// source for the host's input validation and /openapi.json. Path parameters stay the handlers'
// to check (place_service.cpp, admin_controls.cpp); so do the waiting room's rules.
#pragma once

#include <string>
#include <string_view>

#include <admit/sdk/contract.hpp>

namespace admit::queue::contracts {

/// The caller's place as PlaceService::body_of() writes it. position/aheadOf are null before the
/// shuffle and when sold out; etaSeconds is null while paused or sold out; entryToken and
/// entryExpiresAt come with ADMITTED, saleStartsAt with PREQUEUE.
inline constexpr std::string_view kPlace = R"({"type": "object",
  "required": ["scheduleId", "joinId", "status", "waiting", "admittedTotal", "seatsRemaining",
               "position", "aheadOf", "etaSeconds", "pollAfterMs"],
  "properties": {
    "scheduleId": {"type": "string"},
    "joinId": {"type": "string",
               "description": "the caller's public join id, as the fairness route lists it"},
    "status": {"enum": ["PREQUEUE", "WAITING", "PAUSED", "ADMITTED", "SOLD_OUT"]},
    "waiting": {"type": "integer", "minimum": 0},
    "admittedTotal": {"type": "integer", "minimum": 0},
    "seatsRemaining": {"type": ["integer", "null"], "description": "null: not known yet"},
    "position": {"type": ["integer", "null"], "description": "1-based; 0 once admitted"},
    "aheadOf": {"type": ["integer", "null"]},
    "etaSeconds": {"type": ["integer", "null"], "minimum": 0},
    "pollAfterMs": {"type": "integer", "minimum": 0,
                    "description": "when to ask again; the request is also the heartbeat"},
    "entryToken": {"type": "string", "description": "ADMITTED: send as X-Entry-Token"},
    "entryExpiresAt": "@Time",
    "saleStartsAt": {"type": ["string", "null"], "format": "date-time"}}})";

inline std::string place() {
    return sdk::contract::compose(kPlace, {{"Time", sdk::contract::kTime}});
}

/// POST /queue answers 201 for a new place and 200 (same body) when the caller already had one;
/// a contract has one success status, so this one is not registered yet (see queue_plugin.cpp).
inline std::string join() {
    return sdk::contract::compose(
        R"({"response": {"status": 201, "otherStatuses": [200],
                         "description": "the new place in the waiting room; 200: the place the caller already has",
                         "schema": "@Place"},
            "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"],
                       "503": ["QUEUE_RECOVERING", "DEPENDENCY_UNAVAILABLE"]}})",
        {{"Place", place()}});
}

inline std::string status() {
    return sdk::contract::compose(
        R"({"response": {"description": "the caller's place; the request is also the heartbeat",
                         "schema": "@Place"},
            "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"],
                       "503": ["QUEUE_RECOVERING", "DEPENDENCY_UNAVAILABLE"]}})",
        {{"Place", place()}});
}

inline std::string leave() {
    return R"({"response": {"status": 204, "description": "left; a live entry token is revoked"},
               "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"],
                          "503": ["DEPENDENCY_UNAVAILABLE"]}})";
}

/// As PlaceService::fairness() writes it: seed and joinIds are null until the shuffle.
inline std::string fairness() {
    return sdk::contract::compose(
        R"({"response": {"description": "the shuffle's commitment, and after it the seed",
            "schema": {"type": "object",
              "required": ["scheduleId", "phase", "commitment", "algorithm", "seed", "joinIds"],
              "properties": {
                "scheduleId": {"type": "string"},
                "phase": {"enum": ["PREQUEUE", "OPEN", "SOLD_OUT"]},
                "commitment": {"type": "string", "description": "hex of SHA-256 of the seed"},
                "algorithm": {"type": "string"},
                "seed": {"type": ["string", "null"], "description": "hex, after the shuffle"},
                "shuffledAt": "@Time",
                "joinIds": {"type": ["array", "null"], "items": {"type": "string"},
                            "description": "the pre-queue join ids, after the shuffle"}}}},
            "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"]}})",
        {{"Time", sdk::contract::kTime}});
}

/// As AdminControls::overview() writes it; capacity and seatsRemaining only when the schedule's
/// facts are at hand.
inline std::string overview() {
    return sdk::contract::compose(
        R"({"response": {"description": "the waiting room's state", "schema": {"type": "object",
              "required": ["scheduleId", "phase", "paused", "rateOverride", "waiting", "active",
                           "admittedTotal", "admittedPerSecond", "etaSeconds", "held", "sold",
                           "admitFence", "fairness"],
              "properties": {
                "scheduleId": {"type": "string"},
                "phase": {"enum": ["PREQUEUE", "OPEN", "SOLD_OUT"]},
                "paused": {"type": "boolean"},
                "rateOverride": {"type": ["integer", "null"]},
                "waiting": {"type": "integer", "minimum": 0},
                "active": {"type": "integer", "minimum": 0},
                "admittedTotal": {"type": "integer", "minimum": 0},
                "admittedPerSecond": {"type": "number", "minimum": 0,
                                      "description": "over the last 10 seconds"},
                "etaSeconds": {"type": "object", "required": ["p50", "p90", "p99"],
                  "properties": {"p50": {"type": ["integer", "null"]},
                                 "p90": {"type": ["integer", "null"]},
                                 "p99": {"type": ["integer", "null"]}}},
                "held": {"type": "integer", "minimum": 0},
                "sold": {"type": "integer", "minimum": 0},
                "admitFence": {"type": "integer"},
                "fairness": {"type": "object", "required": ["commitment", "shuffledAt"],
                  "properties": {"commitment": {"type": "string"},
                                 "shuffledAt": {"type": ["string", "null"],
                                                "format": "date-time"}}},
                "capacity": {"type": "integer"},
                "seatsRemaining": {"type": "integer", "minimum": 0}}}},
            "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"],
                       "503": ["QUEUE_RECOVERING", "DEPENDENCY_UNAVAILABLE"]}})",
        {});
}

/// pause and resume.
inline std::string set_paused(std::string_view description) {
    std::string out = R"({"response": {"description": ")";
    out += description;
    out += R"(", "schema": {"type": "object", "required": ["scheduleId", "paused"],
              "properties": {"scheduleId": {"type": "string"}, "paused": {"type": "boolean"}}}},
            "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"]}})";
    return out;
}

inline std::string clear() {
    return R"({"response": {"description": "the line emptied and its live tokens revoked",
              "schema": {"type": "object", "required": ["scheduleId", "cleared", "tokensRevoked"],
                "properties": {"scheduleId": {"type": "string"},
                               "cleared": {"type": "integer", "minimum": 0},
                               "tokensRevoked": {"type": "integer", "minimum": 0}}}},
            "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"]}})";
}

/// AdminControls::rate(): admitPerSecond is required and may be null (back to the policy's).
inline std::string rate() {
    return R"({
  "request": {"type": "object", "required": ["admitPerSecond"], "properties": {
    "admitPerSecond": {"type": ["integer", "null"], "minimum": 0, "maximum": 100000,
                       "description": "admissions per second; null: the policy's"}}},
  "response": {"description": "the override now in force", "schema": {"type": "object",
    "required": ["scheduleId", "rateOverride"],
    "properties": {"scheduleId": {"type": "string"},
                   "rateOverride": {"type": ["integer", "null"]}}}},
  "errors": {"404": ["NOT_FOUND"]}})";
}

/// The SSE stream: opening it needs a place in the line (the snapshot is the place).
inline std::string stream() {
    return R"({"response": {"description": "server-sent events: snapshot, the caller's place; then update, the line's progress (at most one a second) and admissions"},
               "errors": {"404": ["NOT_FOUND"]}})";
}

}  // namespace admit::queue::contracts

// The contracts of the ticket routes (ABI 1.2): what each route accepts and answers, one source
// for the host's input validation and /openapi.json. Path parameters and the verdicts on codes
// (signature, schedule, window: 409/422) stay the handlers' (ticket_routes.cpp,
// staff_routes.cpp, checkin_service.cpp). String bounds the handlers count in bytes are
// documented as maxLength (code points), so the schema is never stricter than the handler.
#pragma once

#include <string>
#include <string_view>

#include <admit/sdk/contract.hpp>

namespace admit::ticket::contracts {

/// A ticket as staff_ticket_json() writes it (staff, sellers, admins: no codes).
inline constexpr std::string_view kStaffTicket = R"({"type": "object",
  "required": ["ticketId", "status", "scheduleId", "reservationId", "userId", "issue", "seat",
               "grade", "usedAt", "gate"],
  "properties": {
    "ticketId": {"type": "string"},
    "status": {"enum": ["ISSUED", "USED", "CANCELLED", "EXPIRED"]},
    "statusReason": {"type": "string"},
    "scheduleId": {"type": "string"},
    "reservationId": {"type": "string"},
    "userId": {"type": "string"},
    "issue": {"type": "integer", "minimum": 0, "description": "raised by every reissue"},
    "seat": {"type": ["object", "null"], "required": ["seatId", "label"], "properties": {
      "seatId": {"type": "string"}, "label": {"type": "string"}}},
    "grade": {"type": ["object", "null"], "required": ["gradeId", "name"], "properties": {
      "gradeId": {"type": "string"}, "name": {"type": "string"}}},
    "usedAt": {"type": ["string", "null"], "format": "date-time",
               "description": "the last entry, the only one unless the schedule allows re-entry"},
    "gate": {"type": ["string", "null"], "description": "the last entry's gate"},
    "inside": {"type": "boolean", "description": "entered and not exited since"},
    "entries": {"type": "integer", "minimum": 0, "description": "entries so far"}}})";

/// The owner's ticket as owner_ticket_json() writes it: the staff view plus the codes.
inline constexpr std::string_view kOwnerTicket = R"({"allOf": ["@StaffTicket", {
  "required": ["productId", "kid", "validFrom", "validUntil", "createdAt", "code", "rotating",
               "qr"],
  "properties": {
    "productId": {"type": "string"},
    "kid": {"type": "string", "description": "the venue key that signed the codes"},
    "validFrom": "@Time",
    "validUntil": "@Time",
    "createdAt": "@Time",
    "code": {"type": "string", "description": "the printed (static) code"},
    "rotating": {"type": "object",
      "required": ["signedTicket", "ticketKey", "windowSeconds", "scheme"],
      "properties": {"signedTicket": {"type": "string"},
                     "ticketKey": {"type": "string"},
                     "windowSeconds": {"type": "integer", "minimum": 1},
                     "scheme": {"const": "admit-window/1"}}},
    "qr": {"type": "object", "required": ["svg", "png"], "properties": {
      "svg": {"type": "string"}, "png": {"type": "string"}}}}}]})";

inline std::string staff_ticket() { return std::string(kStaffTicket); }

inline std::string owner_ticket() {
    return sdk::contract::compose(kOwnerTicket,
                                  {{"StaffTicket", kStaffTicket}, {"Time", sdk::contract::kTime}});
}

/// kPageQuery's members with the cursor bound the handlers enforce (at most 100 characters);
/// `filters` are further members (may be empty).
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

inline std::string list_mine() {
    return sdk::contract::compose(
        R"({"query": "@Page",
  "response": {"description": "the caller's tickets, with codes and QR links",
               "schema": "@List"}})",
        {{"Page", page_query("")}, {"List", sdk::contract::page_of(owner_ticket())}});
}

inline std::string get_one() {
    return sdk::contract::compose(R"({
  "response": {"description": "the owner's ticket with its codes; admin: any ticket, without them",
               "schema": {"anyOf": ["@Owner", "@Staff"]}},
  "errors": {"404": ["NOT_FOUND"]}})",
                                  {{"Owner", owner_ticket()}, {"Staff", kStaffTicket}});
}

/// The QR images: the body is the image, not JSON.
inline std::string qr(bool png) {
    return png ? R"({"response": {"mediaType": "image/png",
                     "description": "the static code as a PNG QR image"},
                     "errors": {"404": ["NOT_FOUND"]}})"
               : R"({"response": {"mediaType": "image/svg+xml",
                     "description": "the static code as an SVG QR image"},
                     "errors": {"404": ["NOT_FOUND"]}})";
}

inline std::string reissue() {
    return sdk::contract::compose(R"({
  "response": {"description": "the ticket with its new codes; the old ones are revoked",
               "schema": "@Owner"},
  "errors": {"404": ["NOT_FOUND"], "409": ["INVALID_STATE", "REISSUE_LIMIT"]}})",
                                  {{"Owner", owner_ticket()}});
}

/// POST /checkin: 200 with the ticket now USED; the code's verdicts are answers, not schema
/// errors (409 ALREADY_USED with when and where, 422 INVALID_TICKET with the reason). A repeated
/// nonce replays the first answer.
inline std::string check_in() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["code"], "properties": {
    "code": {"type": "string", "minLength": 1, "maxLength": 1000,
             "description": "the scanned code, static or rotating"},
    "gate": {"type": ["string", "null"], "maxLength": 64},
    "nonce": {"type": ["string", "null"], "maxLength": 64,
              "description": "the scan's id: a repeated nonce replays the first answer"},
    "scheduleId": {"type": ["string", "null"], "maxLength": 64,
                   "description": "the schedule this gate admits to; another one is refused"}}},
  "response": {"description": "admitted: the ticket, now USED and its holder inside",
               "schema": "@Ticket"},
  "errors": {"403": ["FORBIDDEN"], "409": ["ALREADY_USED"], "422": ["INVALID_TICKET"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Ticket", kStaffTicket}});
}

/// POST /checkin/exit: an exit scan under the AFTER_EXIT rule (checkin policy): the holder is
/// outside and may enter again. 409 NOT_INSIDE (never entered, or already out), 409
/// INVALID_STATE (the schedule's rule is not AFTER_EXIT), 422 INVALID_TICKET as for entries.
inline std::string check_out() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["code"], "properties": {
    "code": {"type": "string", "minLength": 1, "maxLength": 1000,
             "description": "the scanned code, static or rotating"},
    "gate": {"type": ["string", "null"], "maxLength": 64},
    "nonce": {"type": ["string", "null"], "maxLength": 64,
              "description": "accepted and ignored: a repeated exit answers NOT_INSIDE"},
    "scheduleId": {"type": ["string", "null"], "maxLength": 64,
                   "description": "the schedule this gate serves; another one is refused"}}},
  "response": {"description": "the ticket, its holder now outside", "schema": "@Ticket"},
  "errors": {"403": ["FORBIDDEN"], "409": ["NOT_INSIDE", "INVALID_STATE"],
             "422": ["INVALID_TICKET"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Ticket", kStaffTicket}});
}

/// POST /checkin/batch: offline scans; each scan's outcome is in the answer.
inline std::string check_in_batch() {
    return R"({
  "request": {"type": "object", "required": ["scans"], "properties": {
    "scans": {"type": "array", "minItems": 1, "maxItems": 500, "items": {"type": "object",
      "required": ["nonce", "code", "at", "admitted"],
      "properties": {
        "nonce": {"type": "string", "minLength": 1, "maxLength": 64},
        "code": {"type": "string", "minLength": 1, "maxLength": 1000},
        "at": {"type": "string", "minLength": 1, "description": "when it was scanned, RFC 3339"},
        "gate": {"type": ["string", "null"], "maxLength": 64},
        "admitted": {"type": "boolean", "description": "whether the gate let the holder in"}}}}}},
  "response": {"description": "each scan's outcome, and the counts", "schema": {"type": "object",
    "required": ["results", "admitted", "duplicates", "conflicts", "refused"],
    "properties": {
      "results": {"type": "array", "items": {"type": "object", "required": ["nonce", "outcome"],
        "properties": {
          "nonce": {"type": "string"},
          "outcome": {"enum": ["ADMITTED", "DUPLICATE", "CONFLICT", "REFUSED"]},
          "ticketId": {"type": "string"},
          "reason": {"type": "string"},
          "conflict": {"type": "object", "required": ["kind", "conflictId"], "properties": {
            "kind": {"enum": ["DOUBLE_ADMISSION", "INVALID_ADMISSION"]},
            "conflictId": {"type": "string"},
            "reason": {"type": "string"},
            "firstAt": {"type": "string", "format": "date-time"},
            "firstGate": {"type": ["string", "null"]}}}}}},
      "admitted": {"type": "integer", "minimum": 0},
      "duplicates": {"type": "integer", "minimum": 0},
      "conflicts": {"type": "integer", "minimum": 0},
      "refused": {"type": "integer", "minimum": 0}}}},
  "errors": {"503": ["DEPENDENCY_UNAVAILABLE"]}})";
}

/// As gate_kit_json() writes it: what an offline gate needs to verify codes.
inline std::string gate_kit() {
    return sdk::contract::compose(R"({
  "query": {"type": "object", "properties": {
    "vouch": {"type": "boolean", "description": "true: list the live tickets' signed-ticket digests (vouched), so a gate checks one signature per rotating code instead of two; default false"}}},
  "response": {"description": "keys, revocations and schedule facts for offline gates",
    "schema": {"type": "object",
      "required": ["kitVersion", "issuedAt", "schedule", "keys", "revoked"],
      "properties": {
        "kitVersion": {"type": "integer"},
        "issuedAt": "@Time",
        "schedule": {"type": "object",
          "required": ["scheduleId", "validFrom", "validUntil", "staticCodesAllowed"],
          "properties": {"scheduleId": {"type": "string"}, "title": {"type": "string"},
                         "validFrom": "@Time", "validUntil": "@Time",
                         "staticCodesAllowed": {"type": "boolean"},
                         "reentry": {"enum": ["NONE", "ONCE_PER_DAY", "AFTER_EXIT"],
                                     "description": "the checkin policy's rule for the schedule"},
                         "utcOffsetMinutes": {"type": "integer", "minimum": -840,
                                              "maximum": 840},
                         "dayStartsAtHour": {"type": "integer", "minimum": 0, "maximum": 23}}},
        "keys": {"type": "array", "description": "Ed25519 public keys as JWKs",
          "items": {"type": "object", "required": ["kty", "crv", "x", "kid"], "properties": {
            "kty": {"type": "string"}, "crv": {"type": "string"}, "x": {"type": "string"},
            "kid": {"type": "string"}, "alg": {"type": "string"}, "use": {"type": "string"},
            "admit_use": {"type": "string"}}}},
        "revoked": {"type": "array", "items": {"type": "object",
          "required": ["ticketId", "reason"], "properties": {
            "ticketId": {"type": "string"},
            "reason": {"enum": ["cancelled", "reissued", "revoked"]},
            "validIssue": {"type": "integer",
                           "description": "reissued: the issue still valid"}}}},
        "vouched": {"type": "array", "items": {"type": "string"},
          "description": "with vouch=true: base64url of the first 16 bytes of SHA-256(\"admit-vouch/1\" || venue public key || signed ticket), one per live ticket"}}}},
  "errors": {"400": ["INVALID_REQUEST"], "403": ["FORBIDDEN"], "404": ["NOT_FOUND"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Time", sdk::contract::kTime}});
}

inline std::string schedule_tickets() {
    return sdk::contract::compose(R"({"query": "@Page",
  "response": {"description": "the schedule's tickets, with counts per status",
    "schema": {"type": "object", "required": ["scheduleId", "title", "counts", "items",
                                              "nextCursor"],
      "properties": {
        "scheduleId": {"type": "string"},
        "title": {"type": "string"},
        "counts": {"type": "object",
                   "required": ["ISSUED", "USED", "CANCELLED", "EXPIRED", "total"],
                   "additionalProperties": {"type": "integer", "minimum": 0}},
        "items": {"type": "array", "items": "@Ticket"},
        "nextCursor": {"type": ["string", "null"]}}}},
  "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"]}})",
                                  {{"Page", page_query(R"("status": {"type": "string",
      "enum": ["ISSUED", "USED", "CANCELLED", "EXPIRED"]})")},
                                   {"Ticket", kStaffTicket}});
}

/// PUT (assign) and DELETE (unassign) of a staff member's schedule.
inline std::string assign_staff(bool assign) {
    std::string out = R"({"response": {"description": ")";
    out += assign ? "the staff member is assigned to the schedule" : "the assignment is removed";
    out += R"(", "schema": {"type": "object", "required": ["scheduleId", "userId", "assigned"],
      "properties": {"scheduleId": {"type": "string"}, "userId": {"type": "string"},
                     "assigned": {"type": "boolean"}}}},
  "errors": )";
    out += assign ? R"({"400": ["INVALID_REQUEST"]}})"
                  : R"({"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"]}})";
    return out;
}

inline std::string list_staff() {
    return R"({"response": {"description": "the staff assigned to the schedule",
  "schema": {"type": "object", "required": ["scheduleId", "staff"], "properties": {
    "scheduleId": {"type": "string"},
    "staff": {"type": "array", "items": {"type": "string"}}}}}})";
}

/// Offline admissions the server could not honour, as list_conflicts() writes them.
inline std::string list_conflicts() {
    return sdk::contract::compose(R"({"query": "@Page",
  "response": {"description": "check-in conflicts, oldest first", "schema": "@List"}})",
                                  {{"Page", page_query(R"("scheduleId": {"type": "string",
      "maxLength": 100, "description": "only this schedule's"})")},
                                   {"List", sdk::contract::page_of(R"({"type": "object",
      "required": ["conflictId", "ticketId", "scheduleId", "kind", "nonce", "gate", "reason",
                   "firstGate", "scannedAt", "firstAt"],
      "properties": {
        "conflictId": {"type": "string"},
        "ticketId": {"type": ["string", "null"]},
        "scheduleId": {"type": ["string", "null"]},
        "kind": {"enum": ["DOUBLE_ADMISSION", "INVALID_ADMISSION"]},
        "nonce": {"type": "string"},
        "gate": {"type": ["string", "null"]},
        "reason": {"type": ["string", "null"]},
        "firstGate": {"type": ["string", "null"]},
        "scannedAt": {"type": "string", "format": "date-time"},
        "firstAt": {"type": ["string", "null"], "format": "date-time"}}})")}});
}

}  // namespace admit::ticket::contracts

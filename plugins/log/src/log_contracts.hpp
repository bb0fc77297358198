// The contracts of the audit routes (ABI 1.2): what each route accepts and answers, one source for
// the host's input validation and /openapi.json. The filters' finer rules (resource as
// <type>[:<id>], action as a topic or a prefix ending in '*', from not after to, the cursor's
// form) stay AuditFilter::from_request()'s to check (audit_query.cpp).
#pragma once

#include <string>
#include <string_view>

#include <admit/sdk/contract.hpp>

namespace admit::log::contracts {

/// The filters AuditFilter::from_request() reads; an empty value is no filter.
inline constexpr std::string_view kFilterProperties = R"(
    "actor": {"type": "string", "description": "exact user id, or system"},
    "resource": {"type": "string", "description": "resource type, or type:id"},
    "action": {"type": "string",
               "description": "exact topic, or a prefix ending in '*' such as reservation.*"},
    "from": {"type": "string", "format": "date-time",
             "description": "entries that occurred at or after this time"},
    "to": {"type": "string", "format": "date-time",
           "description": "entries that occurred before this time; not before from"})";

/// An entry as entry_json() writes it (audit_entry.cpp). summary is the event's payload (a JSON
/// object, or {"raw": text} for a payload that was not one).
inline std::string entry() {
    return sdk::contract::compose(
        R"({"type": "object",
  "required": ["seq", "eventId", "at", "recordedAt", "actor", "action", "resource", "traceId",
               "policyRevision", "summary", "prevHash", "hash"],
  "properties": {
    "seq": {"type": "integer", "minimum": 1, "description": "position in the hash chain"},
    "eventId": {"type": "string"},
    "at": "@Time",
    "recordedAt": "@Time",
    "actor": {"type": "string", "description": "user id, or system"},
    "action": {"type": "string", "description": "the event's topic"},
    "resource": {"type": "object", "required": ["type", "id"], "properties": {
      "type": {"type": "string"},
      "id": {"type": ["string", "null"]}}},
    "traceId": {"type": ["string", "null"]},
    "policyRevision": {"type": ["string", "null"]},
    "summary": {"description": "the event's payload as recorded"},
    "prevHash": {"type": "string", "description": "hex SHA-256 of the previous link"},
    "hash": {"type": "string", "description": "hex SHA-256 of this entry and prevHash"}}})",
        {{"Time", sdk::contract::kTime}});
}

inline std::string list() {
    std::string text = R"({"query": {"type": "object", "properties": {)";
    text += kFilterProperties;
    text += R"(,
    "limit": {"type": "integer", "minimum": 1, "maximum": 200,
              "description": "page size, default 50"},
    "cursor": {"type": "string", "description": "nextCursor of the previous page"}}},
  "response": {"description": "audit entries, newest first", "schema": "@Page"},
  "errors": {"400": ["INVALID_REQUEST"], "503": ["DEPENDENCY_UNAVAILABLE"]}})";
    return sdk::contract::compose(text, {{"Page", sdk::contract::page_of(entry())}});
}

/// As ChainVerifier::verify() writes it (chain_verifier.cpp): the whole chain by default.
inline std::string verify() {
    return sdk::contract::compose(
        R"({"query": {"type": "object", "properties": {
    "from": {"type": "string", "format": "date-time",
             "description": "entries recorded at or after this time; default: the first"},
    "to": {"type": "string", "format": "date-time",
           "description": "entries recorded before this time; default: just after now"}}},
  "response": {"description": "the chain's check over from..to and its first broken link",
    "schema": {"type": "object",
      "required": ["from", "to", "firstSeq", "lastSeq", "checked", "ok", "firstBroken"],
      "properties": {
        "from": "@Time",
        "to": "@Time",
        "firstSeq": {"type": ["integer", "null"], "description": "null: no entry in the range"},
        "lastSeq": {"type": ["integer", "null"]},
        "checked": {"type": "integer", "minimum": 0,
                    "description": "links found intact before the first broken one"},
        "ok": {"type": "boolean"},
        "firstBroken": {"type": ["object", "null"], "required": ["seq", "reason"],
          "properties": {
            "seq": {"type": "integer"},
            "reason": {"enum": ["missing", "prev_hash", "hash"]},
            "expected": {"type": "string"},
            "found": {"type": "string"},
            "eventId": {"type": "string"}}}}}},
  "errors": {"400": ["INVALID_REQUEST"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Time", sdk::contract::kTime}});
}

/// JSON Lines, one entry (as in list()) per line, in chain order.
inline std::string export_lines() {
    std::string text =
        R"({"query": {"type": "object", "required": ["from", "to"], "properties": {)";
    text += kFilterProperties;
    text += R"(}},
  "response": {"mediaType": "application/x-ndjson",
    "description": "the matching entries in chain order, one JSON object per line, each as an item of listAuditEntries"},
  "errors": {"400": ["INVALID_REQUEST"], "422": ["EXPORT_TOO_LARGE"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})";
    return text;
}

}  // namespace admit::log::contracts

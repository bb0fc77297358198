// The contracts of the notification routes and stream (ABI 1.2): what each route accepts and
// answers, one source for the host's input validation and /openapi.json. Path parameters and the
// finer rules (a URL's form, an event type's characters, a cursor's form) stay the handlers' to
// check (notification_routes.cpp, webhook_routes.cpp, list_paging.hpp).
#pragma once

#include <string>
#include <string_view>

#include <admit/sdk/contract.hpp>

namespace admit::notification::contracts {

/// A message as message_json() writes it (message_store.cpp): read and readAt only for in-app
/// messages; data is the event's facts the templates used (null when unreadable).
inline std::string message() {
    return sdk::contract::compose(
        R"({"type": "object",
  "required": ["id", "eventId", "eventType", "kind", "channel", "recipient", "essential", "title",
               "body", "data", "status", "attempts", "lastError", "lastStatus", "latencyMs",
               "createdAt", "sentAt", "nextAttemptAt"],
  "properties": {
    "id": {"type": "string"},
    "eventId": {"type": "string"},
    "eventType": {"type": "string", "description": "the topic of the event told"},
    "kind": {"type": "string", "description": "the notice, such as reservation_confirmed; webhook for a webhook delivery"},
    "channel": {"enum": ["in_app", "email", "webhook"]},
    "recipient": {"type": "string", "description": "a user id, or the webhook id"},
    "essential": {"type": "boolean"},
    "title": {"type": ["string", "null"], "description": "null: not rendered"},
    "body": {"type": ["string", "null"]},
    "data": {"description": "the facts the message was made of"},
    "status": {"enum": ["queued", "sent", "failed", "dead"]},
    "attempts": {"type": "integer", "minimum": 0},
    "lastError": {"type": ["string", "null"]},
    "lastStatus": {"type": ["integer", "null"], "description": "webhook: HTTP status of the last attempt"},
    "latencyMs": {"type": ["integer", "null"]},
    "createdAt": "@Time",
    "sentAt": {"type": ["string", "null"], "format": "date-time"},
    "nextAttemptAt": {"type": ["string", "null"], "format": "date-time",
                      "description": "queued or failed: when the next attempt is due"},
    "read": {"type": "boolean", "description": "in-app messages only"},
    "readAt": {"type": ["string", "null"], "format": "date-time",
               "description": "in-app messages only"}}})",
        {{"Time", sdk::contract::kTime}});
}

/// A webhook as webhook_json() writes it (webhook_store.cpp): never its secret.
inline std::string webhook() {
    return sdk::contract::compose(
        R"({"type": "object",
  "required": ["id", "url", "eventTypes", "status", "disabledReason", "createdBy", "createdAt",
               "updatedAt"],
  "properties": {
    "id": {"type": "string"},
    "url": {"type": "string"},
    "eventTypes": {"type": "array", "items": {"type": "string"}},
    "status": {"enum": ["ACTIVE", "DISABLED", "DELETED"]},
    "disabledReason": {"type": ["string", "null"]},
    "createdBy": {"type": "string"},
    "createdAt": "@Time",
    "updatedAt": "@Time"}})",
        {{"Time", sdk::contract::kTime}});
}

/// As preferences_json() writes it (notification_routes.cpp).
inline constexpr std::string_view kPreferences = R"({"type": "object",
  "required": ["emailNonEssential", "language"],
  "properties": {
    "emailNonEssential": {"type": "boolean",
                          "description": "e-mail also for messages that are not essential"},
    "language": {"type": ["string", "null"],
                 "description": "the messages' language tag; null: the venue's default"}}})";

inline std::string list_mine() {
    return sdk::contract::compose(
        R"({"query": {"type": "object", "properties": {
    "limit": {"type": "integer", "minimum": 1, "maximum": 200,
              "description": "page size, default 50"},
    "cursor": {"type": "string", "maxLength": 200,
               "description": "nextCursor of the previous page"},
    "read": {"type": "boolean", "description": "only read, or only unread, in-app messages"},
    "channel": {"enum": ["in_app", "email"]}}},
  "response": {"description": "the caller's messages with their delivery status, newest first",
               "schema": "@Page"},
  "errors": {"400": ["INVALID_REQUEST"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Page", sdk::contract::page_of(message())}});
}

inline std::string mark_read() {
    return sdk::contract::compose(
        R"({"response": {"description": "the message, read", "schema": "@Message"},
  "errors": {"404": ["NOT_FOUND"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Message", message()}});
}

inline std::string get_preferences() {
    return sdk::contract::compose(
        R"({"response": {"description": "the caller's preferences", "schema": "@Preferences"},
  "errors": {"503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Preferences", kPreferences}});
}

/// put_preferences(): language is a tag of 1 to 16 characters, or null for the default.
inline std::string put_preferences() {
    return sdk::contract::compose(
        R"({"request": {"type": "object", "required": ["emailNonEssential"], "properties": {
    "emailNonEssential": {"type": "boolean"},
    "language": {"type": ["string", "null"], "minLength": 1, "maxLength": 16,
                 "description": "a language tag such as ko; absent or null: the venue's default"}}},
  "response": {"description": "the preferences now in force", "schema": "@Preferences"},
  "errors": {"400": ["INVALID_REQUEST"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Preferences", kPreferences}});
}

/// The SSE stream: only the caller's own (another user's is not found).
inline std::string stream() {
    return R"({"response": {"description": "server-sent events: notification, each new in-app message as it is delivered"},
               "errors": {"404": ["NOT_FOUND"]}})";
}

inline std::string list_dead() {
    return sdk::contract::compose(
        R"({"query": "@PageQuery",
  "response": {"description": "messages that could not be delivered, on every channel",
               "schema": "@Page"},
  "errors": {"400": ["INVALID_REQUEST"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"PageQuery", sdk::contract::kPageQuery}, {"Page", sdk::contract::page_of(message())}});
}

inline std::string retry_dead() {
    return sdk::contract::compose(
        R"({"response": {"description": "the message, queued again", "schema": "@Message"},
  "errors": {"404": ["NOT_FOUND"], "409": ["INVALID_STATE"], "422": ["TEMPLATE_ERROR"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Message", message()}});
}

/// create_webhook(): the URL's form and the event types' characters are checked by the handler.
inline std::string create_webhook() {
    return sdk::contract::compose(
        R"({"request": {"type": "object", "required": ["url", "eventTypes", "secret"],
    "properties": {
      "url": {"type": "string", "minLength": 1, "maxLength": 2048,
              "description": "an absolute http:// or https:// URL"},
      "eventTypes": {"type": "array", "minItems": 1, "maxItems": 50,
                     "items": {"type": "string", "minLength": 1, "maxLength": 101},
                     "description": "topics such as ticket.issued, or prefixes ending in '*' such as reservation.* or *"},
      "secret": {"type": "string", "minLength": 16, "maxLength": 256, "writeOnly": true,
                 "description": "signs each delivery; never shown again"}}},
  "response": {"status": 201, "description": "the webhook", "schema": "@Webhook"},
  "errors": {"400": ["INVALID_REQUEST"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Webhook", webhook()}});
}

inline std::string list_webhooks() {
    return sdk::contract::compose(
        R"({"response": {"description": "every webhook, in one page", "schema": "@Page"},
  "errors": {"503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Page", sdk::contract::page_of(webhook())}});
}

inline std::string get_webhook() {
    return sdk::contract::compose(
        R"({"response": {"description": "the webhook", "schema": "@Webhook"},
  "errors": {"404": ["NOT_FOUND"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Webhook", webhook()}});
}

inline std::string delete_webhook() {
    return R"({"response": {"status": 204, "description": "deleted; its pending deliveries die"},
  "errors": {"404": ["NOT_FOUND"], "503": ["DEPENDENCY_UNAVAILABLE"]}})";
}

inline std::string enable_webhook() {
    return sdk::contract::compose(
        R"({"response": {"description": "the webhook, ACTIVE; one that was ACTIVE is unchanged",
               "schema": "@Webhook"},
  "errors": {"404": ["NOT_FOUND"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"Webhook", webhook()}});
}

inline std::string webhook_deliveries() {
    return sdk::contract::compose(
        R"({"query": "@PageQuery",
  "response": {"description": "the webhook's deliveries of the last delivery_log_days, newest first",
               "schema": "@Page"},
  "errors": {"400": ["INVALID_REQUEST"], "404": ["NOT_FOUND"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
        {{"PageQuery", sdk::contract::kPageQuery}, {"Page", sdk::contract::page_of(message())}});
}

}  // namespace admit::notification::contracts

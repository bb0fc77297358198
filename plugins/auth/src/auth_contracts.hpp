// The contracts of the auth routes (ABI 1.2): what each route accepts and answers, one source for
// the host's input validation and /openapi.json. The host checks bodies against them before a
// handler runs; what the handlers check beyond them stays there (validation.cpp: the email's
// shape, the password's length in bytes, the name after trimming; the credentials themselves).
//
// The bounds here never refuse a body the handler accepts: lengths the handler counts in bytes
// (password, email) are written as the same number of characters, which no longer text can meet.
#pragma once

#include <string>
#include <string_view>

#include <admit/sdk/contract.hpp>

namespace admit::auth::contracts {

/// A user as User::to_json() writes it (never the password hash).
inline constexpr std::string_view kUser = R"({"type": "object",
  "required": ["id", "email", "name", "role", "tier", "status", "createdAt"],
  "properties": {
    "id": {"type": "string"},
    "email": {"type": "string", "description": "lower-cased as stored"},
    "name": {"type": "string"},
    "role": {"enum": ["customer", "seller", "admin", "staff"]},
    "tier": {"enum": ["none", "SILVER", "GOLD", "DIAMOND"], "description": "membership tier"},
    "status": {"enum": ["active", "suspended"]},
    "sellerStatus": {"enum": ["PENDING", "APPROVED", "REJECTED"],
                     "description": "sellers only: until APPROVED by an admin, tokens carry the role customer"},
    "createdAt": "@Time"}})";

inline std::string user() {
    return sdk::contract::compose(kUser, {{"Time", sdk::contract::kTime}});
}

/// Where login and refresh put the tokens: the body (default) or HttpOnly cookies (the web app).
inline constexpr std::string_view kTokenDelivery = R"({"enum": ["body", "cookie"],
    "description": "cookie: the tokens travel as HttpOnly SameSite=Strict cookies, not in the body"})";

/// The answer of login and refresh (AuthPlugin::token_response).
inline std::string tokens() {
    return sdk::contract::compose(R"({"type": "object",
  "required": ["tokenType", "expiresIn", "user"],
  "properties": {
    "accessToken": {"type": "string", "description": "an EdDSA JWT for Authorization: Bearer; absent when the request asked for tokenDelivery cookie: then it is an HttpOnly cookie"},
    "refreshToken": {"type": "string", "description": "single use: /auth/refresh rotates it; absent with tokenDelivery cookie"},
    "tokenType": {"enum": ["Bearer", "Cookie"],
                  "description": "Cookie: the tokens were set as HttpOnly cookies"},
    "expiresIn": {"type": "integer", "description": "seconds until the access token expires"},
    "user": "@User"}})",
                                  {{"User", user()}});
}

inline std::string signup() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["email", "password", "name"], "properties": {
    "email": {"type": "string", "format": "email", "minLength": 1, "maxLength": 254,
              "description": "an email address of at most 254 bytes; compared case-insensitively"},
    "password": {"type": "string", "minLength": 1, "maxLength": 128, "writeOnly": true,
                 "description": "10 to 128 bytes of UTF-8"},
    "name": {"type": "string", "minLength": 1,
             "description": "1 to 100 characters without control characters, spaces trimmed"},
    "role": {"type": ["string", "null"], "enum": ["customer", "seller", null],
             "description": "default customer"}}},
  "response": {"status": 201, "description": "the new account", "schema": "@User"},
  "errors": {"409": ["EMAIL_TAKEN"], "429": ["RATE_LIMITED"],
             "503": ["OVERLOADED", "DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"User", user()}});
}

inline std::string login() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "required": ["email", "password"], "properties": {
    "email": {"type": "string", "minLength": 1,
              "description": "a malformed address is answered as an unknown one, with 401"},
    "password": {"type": "string", "minLength": 1, "maxLength": 128, "writeOnly": true,
                 "description": "at most 128 bytes of UTF-8"},
    "clientId": {"type": ["string", "null"],
                 "description": "one of the venue's configured clients; default the first"},
    "totpCode": {"type": ["string", "null"], "writeOnly": true,
                 "description": "the 6-digit code of the authenticator app, required once the account enabled TOTP"},
    "tokenDelivery": "@Delivery"}},
  "response": {"description": "a new session's tokens and the user", "schema": "@Tokens"},
  "errors": {"401": ["INVALID_CREDENTIALS", "TOTP_REQUIRED", "TOTP_INVALID"], "403": ["FORBIDDEN"],
             "429": ["RATE_LIMITED"],
             "503": ["OVERLOADED", "DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Tokens", tokens()}, {"Delivery", kTokenDelivery}});
}

inline std::string refresh() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "properties": {
    "refreshToken": {"type": "string", "minLength": 1, "writeOnly": true,
                     "description": "required unless the session lives in cookies"},
    "tokenDelivery": "@Delivery"}},
  "response": {"description": "the rotated tokens: the old refresh token is spent",
               "schema": "@Tokens"},
  "errors": {"401": ["UNAUTHENTICATED", "TOKEN_REUSED"], "403": ["FORBIDDEN"],
             "503": ["OVERLOADED", "DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"Tokens", tokens()}, {"Delivery", kTokenDelivery}});
}

inline constexpr std::string_view kLogout = R"({
  "response": {"status": 204, "description": "the session is revoked"},
  "errors": {"503": ["DEPENDENCY_UNAVAILABLE"]}})";

inline std::string me() {
    return sdk::contract::compose(R"({
  "response": {"description": "the caller", "schema": "@User"},
  "errors": {"401": ["UNAUTHENTICATED"], "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"User", user()}});
}

/// The access-token keys (OKP Ed25519) and, when a ticket plugin is loaded, its ticket keys.
inline constexpr std::string_view kJwks = R"({
  "response": {"description": "a JSON Web Key Set", "schema": {"type": "object",
    "required": ["keys"], "properties": {
      "keys": {"type": "array", "items": {"type": "object", "required": ["kty", "kid"],
        "properties": {
          "kty": {"type": "string"}, "crv": {"type": "string"}, "x": {"type": "string"},
          "kid": {"type": "string"}, "alg": {"type": "string"}, "use": {"type": "string"}}}}}}}})";

inline std::string change_user() {
    return sdk::contract::compose(R"({
  "request": {"type": "object", "properties": {
    "status": {"type": ["string", "null"], "enum": ["active", "suspended", null]},
    "role": {"type": ["string", "null"], "enum": ["customer", "seller", "admin", "staff", null]},
    "tier": {"type": ["string", "null"], "enum": ["none", "SILVER", "GOLD", "DIAMOND", null]}},
    "description": "at least one of status, role and tier"},
  "response": {"description": "the user after the change", "schema": "@User"},
  "errors": {"404": ["NOT_FOUND"], "422": ["CANNOT_CHANGE_SELF"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})",
                                  {{"User", user()}});
}

inline constexpr std::string_view kRotateKey = R"({
  "response": {"description": "the id of the new signing key", "schema": {"type": "object",
    "required": ["kid"], "properties": {"kid": {"type": "string"}}}},
  "errors": {"409": ["KEY_FROM_ENVIRONMENT"], "503": ["DEPENDENCY_UNAVAILABLE"]}})";

/// The sellers awaiting (or past) review, oldest first.
inline std::string list_sellers() {
    return sdk::contract::compose(R"json({
  "query": {"type": "object", "properties": {
    "status": {"enum": ["PENDING", "APPROVED", "REJECTED"], "description": "default PENDING"},
    "limit": {"type": "integer", "minimum": 1, "maximum": 200, "description": "page size, default 50"},
    "cursor": {"type": "string", "maxLength": 200, "description": "nextCursor of the previous page"}}},
  "response": {"description": "sellers with that review status, oldest first", "schema": "@List"},
  "errors": {"503": ["DEPENDENCY_UNAVAILABLE"]}})json",
                                  {{"List", sdk::contract::page_of(user())}});
}

/// Approve or reject a seller (no body).
inline std::string review_seller(std::string_view outcome) {
    // Appended rather than `"\"" + std::string(outcome) + ...`: g++ 12 at -O3 reports a false
    // -Wrestrict overlap for operator+ on a temporary here.
    std::string quoted;
    quoted.reserve(outcome.size() + 2);
    quoted.append(1, '"').append(outcome).append(1, '"');
    return sdk::contract::compose(
        R"json({
  "response": {"description": "@Outcome", "schema": "@User"},
  "errors": {"404": ["NOT_FOUND"], "409": ["INVALID_STATE"], "503": ["DEPENDENCY_UNAVAILABLE"]}})json",
        {{"User", user()}, {"Outcome", quoted}});
}

/// A new TOTP secret (AuthPlugin::enrol_totp), shown once.
inline constexpr std::string_view kEnrolTotp = R"json({
  "response": {"description": "the secret to add to an authenticator app; confirm it with a code",
    "schema": {"type": "object",
      "required": ["secret", "otpauthUri", "algorithm", "digits", "period"],
      "properties": {
        "secret": {"type": "string", "description": "base32 (RFC 4648), 160 bits"},
        "otpauthUri": {"type": "string", "description": "otpauth://totp/... for a QR code"},
        "algorithm": {"enum": ["SHA1"]},
        "digits": {"type": "integer"},
        "period": {"type": "integer", "description": "seconds per code"}}}},
  "errors": {"409": ["TOTP_ALREADY_ENABLED"], "503": ["DEPENDENCY_UNAVAILABLE"]}})json";

inline constexpr std::string_view kConfirmTotp = R"json({
  "request": {"type": "object", "required": ["code"], "properties": {
    "code": {"type": "string", "minLength": 1, "maxLength": 16, "writeOnly": true,
             "description": "the current 6-digit code of the authenticator app"}}},
  "response": {"description": "the second factor is enabled: logins need totpCode from now on",
    "schema": {"type": "object", "required": ["enabled"],
      "properties": {"enabled": {"type": "boolean"}}}},
  "errors": {"409": ["TOTP_NOT_ENROLLED", "TOTP_ALREADY_ENABLED"], "422": ["TOTP_INVALID"],
             "503": ["DEPENDENCY_UNAVAILABLE"]}})json";

}  // namespace admit::auth::contracts

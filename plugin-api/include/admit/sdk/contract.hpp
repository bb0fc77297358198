// Route contracts (ABI 1.2): the JSON text a route registers in RouteOptions::contract, and the
// pieces every plugin repeats (money, list pages). See admit_route_desc.contract in abi.h for the
// members and plugin-api/README.md for the JSON Schema keywords the host supports.
//
// A contract is written once, next to its handler, as JSON text. A schema used by several routes
// is written once as a constant and placed with compose():
//
//   constexpr std::string_view kReservation = R"({"type": "object", ...})";
//   const auto contract = sdk::contract::compose(
//       R"({"response": {"status": 201, "schema": "@Reservation"}})",
//       {{"Reservation", kReservation}});
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace admit::sdk::contract {

/// {"amount": 15000, "currency": "KRW"}: money in the currency's minor unit.
inline constexpr std::string_view kMoney =
    R"({"type": "object", "required": ["amount", "currency"], "properties": {
        "amount": {"type": "integer", "description": "in the currency's minor unit"},
        "currency": {"type": "string", "minLength": 3, "maxLength": 3}}})";

/// The query parameters of every list route (API.md: ?limit=1..200, default 50, and ?cursor=).
inline constexpr std::string_view kPageQuery =
    R"({"type": "object", "properties": {
        "limit": {"type": "integer", "minimum": 1, "maximum": 200,
                  "description": "page size, default 50"},
        "cursor": {"type": "string", "maxLength": 200,
                   "description": "nextCursor of the previous page"}}})";

/// An RFC 3339 time as the API writes it.
inline constexpr std::string_view kTime = R"({"type": "string", "format": "date-time"})";

/// Replaces every "@Name" JSON string in `text` (the quotes included) with the JSON text of the
/// part called Name. Unknown names stay as they are (the host then reports a malformed schema).
inline std::string compose(
    std::string_view text,
    std::initializer_list<std::pair<std::string_view, std::string_view>> parts) {
    std::string out(text);
    for (const auto& [name, json] : parts) {
        std::string token;
        token.reserve(name.size() + 3);
        token += "\"@";
        token += name;
        token += '"';
        for (auto at = out.find(token); at != std::string::npos;
             at = out.find(token, at + json.size())) {
            out.replace(at, token.size(), json);
        }
    }
    return out;
}

/// {"items": [<item>...], "nextCursor": "..." | null}: a list page of `item_schema`.
inline std::string page_of(std::string_view item_schema) {
    return compose(R"({"type": "object", "required": ["items", "nextCursor"], "properties": {
        "items": {"type": "array", "items": "@Item"},
        "nextCursor": {"type": ["string", "null"]}}})",
                   {{"Item", item_schema}});
}

}  // namespace admit::sdk::contract

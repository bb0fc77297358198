// JSON <-> Lua value conversion for policy inputs and decisions.
//
// Mapping: objects -> tables with string keys; arrays -> sequences 1..n marked with the shared
// JSON-array metatable (so [] survives a round trip); integers -> Lua integers; other numbers ->
// floats; null inside an array -> the `null` sentinel (light userdata NULL); null as an object
// member -> the member is absent. Back to JSON: a table is an array when it carries the array
// metatable or its keys are exactly 1..n (n >= 1); otherwise an object, whose keys must be strings
// or integers. Floats with an integral value below 2^53 become JSON integers; NaN and infinities
// are errors. Nesting deeper than kMaxJsonDepth is an error (this also catches cycles).
#pragma once

#include <boost/json/value.hpp>
#include <lua.hpp>

#include <string>

namespace admit::policy {

inline constexpr int kMaxJsonDepth = 64;

// Creates the JSON-array metatable in the registry. Call once per state, before any conversion.
// The metatable is protected (__metatable = false): scripts never get hold of it.
void install_json_support(lua_State* L);

// Pushes the JSON-array metatable.
void push_array_metatable(lua_State* L);

// Pushes v. May raise a Lua error (out of memory): call only inside a protected call.
void push_json(lua_State* L, const boost::json::value& v);

// Appends the JSON text of the value at idx to out (compact; object keys sorted; floats in
// shortest round-trip form). Returns false and fills error when it is not representable. Does
// not raise Lua errors; may throw std::bad_alloc.
bool lua_to_json_text(lua_State* L, int idx, std::string& out, std::string& error);

// The same as a Boost.JSON value (for comparisons). Also fails when a string is not valid UTF-8.
bool lua_to_json(lua_State* L, int idx, boost::json::value& out, std::string& error);

}  // namespace admit::policy

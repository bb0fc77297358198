// Bounded C loops: table.concat, insert, move, remove, sort and unpack, string.byte and
// utf8.codepoint for the sandbox.
//
// These loop in C over a range that a script chooses (table.move({}, 1, 1e15, 2) copies nil to
// nil for hours; a table's __len may claim any length), and every element access may walk a
// chain of up to 2000 __index/__newindex tables, all without the count hook firing. The
// wrappers installed here charge their work to the call's instruction budget before they start
// (charge_work): kTableUnitsPerElement units per element visited, times the length of the
// lookup chains involved (lookup_chain_length), and n log2 n elements for sort. A call whose
// work exceeds what is left of the budget ends the call as the budget's bound does.
//
// string.byte and utf8.codepoint push one result per byte (up to a million) and are charged per
// result. Contract for scripts: the table functions take tables only, and refuse a table whose
// metatable has __len (the length is then the raw length, which a script cannot inflate without
// memory). table.pack is Lua's own (its work is bounded by the arguments already on the stack).
//
// Thread-safety: functions here act on one lua_State, owned by the calling thread.
#pragma once

#include <lua.hpp>

#include <cstdint>

namespace admit::policy {

// Measured on the 2-core machine: one element moved by table.move costs about as much as four
// to five VM instructions.
inline constexpr std::uint64_t kTableUnitsPerElement = 4;

// Replaces those functions in the global table, string and utf8 libraries (before the sandbox
// builds its read-only views of them) with the bounded wrappers.
void install_bounded_loops(lua_State* L);

}  // namespace admit::policy

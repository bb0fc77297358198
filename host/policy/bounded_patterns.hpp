// Bounded pattern matching: string.find, match, gmatch and gsub for the policy sandbox.
//
// Lua's matcher (lstrlib.c) runs in C, where the count hook never fires, and backtracks: a
// pattern with k quantifiers can take time of order n^(k+1) on a subject of n bytes
// (string.find(string.rep("a", 5000), ".-.-.-b") would run for hours). The wrappers installed
// here estimate, before matching, an upper bound of the matcher's steps:
//
//   starts x product over the pattern's items of their branching x (pattern length + 1)
//
// where starts is 1 for an anchored pattern ("^...", not in gmatch) and n + 1 otherwise; an item
// X*, X+ or X- branches (longest run of subject bytes matching X) + 1 ways, X? two ways, and %b,
// a back-reference (%1-%9) n + 1 ways; gsub adds its replacement work. The estimate (and the
// scan of the subject that computes the runs) is charged to the call's instruction budget, one
// step per instruction (charge_work). A call is refused before it starts when its estimate
// exceeds kMaxPatternSteps ("pattern too complex", a normal error) or what is left of the budget
// (the budget's bound, as if the hook had fired). Matching itself is Lua's own.
//
// Thread-safety: functions here act on one lua_State, owned by the calling thread.
#pragma once

#include <lua.hpp>

#include <cstdint>
#include <string_view>

namespace admit::policy {

// The most matcher steps one call may be estimated at. Measured on the 2-core machine: the
// worst patterns accepted at this bound finish in a few milliseconds (see the sandbox tests).
inline constexpr std::uint64_t kMaxPatternSteps = std::uint64_t{1} << 22;

struct PatternCost {
    std::uint64_t steps = 0;    // estimated matcher steps; > limit means "over"
    std::uint64_t scanned = 0;  // subject bytes x class length examined to compute the estimate
};

// Upper bound of the steps Lua's matcher takes for one find/match/gsub (or one whole gmatch
// iteration) of pattern over subject. anchor_allowed is false for gmatch (where '^' is literal).
// Stops early, with steps > limit, once the bound exceeds limit. Never reads outside the views;
// a malformed pattern gets some estimate (Lua's matcher then raises its own error). noexcept.
PatternCost estimate_pattern_cost(std::string_view subject, std::string_view pattern,
                                  bool anchor_allowed, std::uint64_t limit) noexcept;

// Replaces find, match, gmatch and gsub in the string library table on top of the stack with the
// bounded wrappers (the string metatable's __index is that same table, so s:find is covered).
void install_bounded_patterns(lua_State* L);

}  // namespace admit::policy

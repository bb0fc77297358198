#!/usr/bin/env bash
# Sourced by load scripts (scripts/lib/fleet_parts.sh, scripts/bench-flash-sale.sh): production
# policies with the limits lifted that a load generator would hit because it stands for thousands
# of buyers.
#   lift_rate_limits DIR RULE...
#                            writes DIR/ratelimits.lua (policies/ratelimits.lua with the limit of
#                            each named rule, e.g. auth or booking, set to 0: none) and its test;
#                            false when a rule is not there to lift
#   lift_buyer_limits DIR    writes DIR/limits.lua (policies/limits.lua with tickets and holds per
#                            buyer per schedule unbounded) and its test; false when limits.lua no
#                            longer has the constants it edits

LOAD_POLICIES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

lift_rate_limits() {
    local dir=$1 rule edits=()
    shift
    for rule in "$@"; do edits+=(-e "s/^\( *$rule = { limit = \)[0-9]*,/\10,/"); done
    sed "${edits[@]}" "$LOAD_POLICIES_ROOT/policies/ratelimits.lua" >"$dir/ratelimits.lua"
    for rule in "$@"; do grep -q "^ *$rule = { limit = 0," "$dir/ratelimits.lua" || return 1; done
    cat >"$dir/ratelimits_test.lua" <<'LUA'
function test_queue_is_still_limited_per_caller()
  local d = decide({ category = "queue", authenticated = true })
  assert_eq(d.keyBy, "caller")
end
LUA
}

lift_buyer_limits() {
    local dir=$1
    sed -e 's/^local DEFAULT_MAX_PER_USER = [0-9]*/local DEFAULT_MAX_PER_USER = 1000000/' \
        -e 's/^local DEFAULT_MAX_HOLDS_PER_WINDOW = [0-9]*/local DEFAULT_MAX_HOLDS_PER_WINDOW = 0/' \
        "$LOAD_POLICIES_ROOT/policies/limits.lua" >"$dir/limits.lua"
    grep -q '^local DEFAULT_MAX_PER_USER = 1000000' "$dir/limits.lua" || return 1
    grep -q '^local DEFAULT_MAX_HOLDS_PER_WINDOW = 0' "$dir/limits.lua" || return 1
    cat >"$dir/limits_test.lua" <<'LUA'
function test_a_load_buyer_may_buy_many()
  local d = decide({ scheduleId = "sch_x", owned = 500, requested = 1 })
  assert_eq(d.allowed, true)
  assert_eq(d.maxHoldsPerWindow, 0)
end
LUA
}

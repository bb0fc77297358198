-- Purchase limits: maximum tickets one user may hold or buy per schedule.
--
-- input:  { scheduleId, category (optional), owned = <tickets the user already holds or bought
--           for this schedule>, requested = <tickets in this request> }
-- output: { maxPerUser, allowed, remaining }

local DEFAULT_MAX_PER_USER = 4
-- Per-schedule or per-category exceptions: BY_SCHEDULE["sch_123"] = 2
local BY_SCHEDULE = {}
local BY_CATEGORY = {}

fallback = { maxPerUser = DEFAULT_MAX_PER_USER, allowed = false, remaining = 0, fallback = true }

function decide(input)
  local max = BY_SCHEDULE[input.scheduleId] or BY_CATEGORY[input.category] or DEFAULT_MAX_PER_USER
  local owned = input.owned or 0
  local requested = input.requested or 1
  local remaining = math.max(0, max - owned)
  return { maxPerUser = max, allowed = requested >= 1 and requested <= remaining, remaining = remaining }
end

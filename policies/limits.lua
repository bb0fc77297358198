-- Purchase limits: maximum tickets one user may hold or buy per schedule, and how many holds one
-- user may make on a schedule within a window (releasing a hold does not give one back, so a
-- buyer cannot keep seats out of sale by holding, letting go and holding again without end).
--
-- input:  { scheduleId, category (optional), owned = <tickets the user already holds or bought
--           for this schedule>, requested = <tickets in this request> }
-- output: { maxPerUser, allowed, remaining, maxHoldsPerWindow, holdWindowSeconds }
--         maxHoldsPerWindow = 0 means no bound on holds over time.

local DEFAULT_MAX_PER_USER = 4
-- Holds (granted reservations) per user and schedule within HOLD_WINDOW_SECONDS of the first.
local DEFAULT_MAX_HOLDS_PER_WINDOW = 10
local HOLD_WINDOW_SECONDS = 86400
-- Per-schedule or per-category exceptions: BY_SCHEDULE["sch_123"] = 2
local BY_SCHEDULE = {}
local BY_CATEGORY = {}

fallback = { maxPerUser = DEFAULT_MAX_PER_USER, allowed = false, remaining = 0, fallback = true,
             maxHoldsPerWindow = DEFAULT_MAX_HOLDS_PER_WINDOW,
             holdWindowSeconds = HOLD_WINDOW_SECONDS }

function decide(input)
  local max = BY_SCHEDULE[input.scheduleId] or BY_CATEGORY[input.category] or DEFAULT_MAX_PER_USER
  local owned = input.owned or 0
  local requested = input.requested or 1
  local remaining = math.max(0, max - owned)
  return { maxPerUser = max, allowed = requested >= 1 and requested <= remaining, remaining = remaining,
           maxHoldsPerWindow = DEFAULT_MAX_HOLDS_PER_WINDOW, holdWindowSeconds = HOLD_WINDOW_SECONDS }
end

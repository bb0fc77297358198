-- Waiting-room admission: how many queued users to admit per second and how many may be active
-- (admitted and not yet finished) at once.
--
-- input:  { scheduleId, waiting = <users queued>, active = <users admitted and active> }
-- output: { admitPerSecond, activeCap, admitNow }  (admitNow: whom to admit in this tick)

local DEFAULT = { per_second = 50, active_cap = 500 }
local BY_SCHEDULE = {}

fallback = { admitPerSecond = 10, activeCap = 100, admitNow = 0, fallback = true }

function decide(input)
  local rule = BY_SCHEDULE[input.scheduleId] or DEFAULT
  local waiting = input.waiting or 0
  local active = input.active or 0
  local room = math.max(0, rule.active_cap - active)
  return {
    admitPerSecond = rule.per_second,
    activeCap = rule.active_cap,
    admitNow = math.min(rule.per_second, room, waiting),
  }
end

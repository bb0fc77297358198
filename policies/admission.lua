-- Waiting-room admission: how many queued users to admit per second, how many may be active
-- (admitted, entry token not yet expired) at once, and how far the inventory lets the line move.
--
-- input:  { scheduleId, waiting = <users queued>, active = <users admitted and active>,
--           seatsFree? = <capacity - held - sold>, held? = <units in live holds>,
--           expiringSoon? = <held units whose hold expires within the entry token's TTL>,
--           conversion? = <measured share of admitted users who held, 0..1>,
--           rateOverride? = <operator's admissions per second> }
-- output: { admitPerSecond, activeCap, admitNow (whom to admit in this tick),
--           conversionFactor (admitted users per sellable unit), tokenTtlSeconds,
--           inventoryBound? = floor((seatsFree + expiringSoon) * conversionFactor) }
-- The queue plugin enforces admitNow <= inventoryBound - active again in C++, and closes the line
-- (SOLD_OUT) when seatsFree + held is 0.

local DEFAULT = { per_second = 50, active_cap = 500, token_ttl = 300 }
local BY_SCHEDULE = {}
-- Admit more users than units, as not everyone buys: 1 / measured conversion, between 1 and 3;
-- 1.5 until at least one conversion is measured.
local FACTOR = { default = 1.5, min = 1.0, max = 3.0 }

fallback = { admitPerSecond = 10, activeCap = 100, admitNow = 0, conversionFactor = 1.0,
             tokenTtlSeconds = 300, fallback = true }

local function conversion_factor(conversion)
  if conversion == nil or conversion <= 0 then return FACTOR.default end
  return math.max(FACTOR.min, math.min(FACTOR.max, 1 / conversion))
end

function decide(input)
  local rule = BY_SCHEDULE[input.scheduleId] or DEFAULT
  local waiting = input.waiting or 0
  local active = input.active or 0
  local per_second = rule.per_second
  if input.rateOverride ~= nil and input.rateOverride >= 0 then
    per_second = math.floor(input.rateOverride)
  end
  local room = math.max(0, rule.active_cap - active)
  local admit = math.min(per_second, room, waiting)
  local factor = conversion_factor(input.conversion)
  local decision = {
    admitPerSecond = per_second,
    activeCap = rule.active_cap,
    conversionFactor = factor,
    tokenTtlSeconds = rule.token_ttl,
  }
  if input.seatsFree ~= nil then
    local bound = math.floor((math.max(0, input.seatsFree) +
                              math.max(0, input.expiringSoon or 0)) * factor)
    decision.inventoryBound = bound
    admit = math.min(admit, math.max(0, bound - active))
  end
  decision.admitNow = admit
  return decision
end

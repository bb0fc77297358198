-- Check-in: may a ticket enter again after its first admission, and are printed (static) codes
-- admitted? Asked by the ticket plugin per schedule and gate (a decision is cached for the
-- plugin's kit_cache_ms, 1 s by default), and once per schedule for an offline gate's kit.
--
-- input:  { scheduleId, productId, startsAt, endsAt (epoch seconds: the performance's start, and
--           when its gate window closes), gate ("" when the gate gave no name, and for a kit) }
--         The plugin also sends scope = "product/<productId>/schedule/<scheduleId>", so a
--         variant published for one product (scope "product/<id>") decides for its schedules.
-- output: { reentry, allowStaticCode, utcOffsetMinutes, dayStartsAtHour, rule }
--   reentry          "NONE"          one entry; any later scan is ALREADY_USED (the default)
--                    "ONCE_PER_DAY"  one entry per venue-local day (multi-day passes, festivals)
--                    "AFTER_EXIT"    enter again after an exit scan (POST /api/v1/checkin/exit)
--   allowStaticCode  false: only the app's rotating codes (the venue-wide static_codes_allowed
--                    = false of [plugin.ticket] refuses them whatever this says)
--   utcOffsetMinutes the venue's offset from UTC: what "day" means for ONCE_PER_DAY
--   dayStartsAtHour  the venue-local hour a day begins (4: a 02:00 re-entry belongs to the
--                    night before)
--   rule             a human note, shown in logs and kept in the decision log
-- Every entry, whatever the rule, admits at most once among concurrent scans of one ticket.

-- The venue's clock: 540 for Seoul (UTC+9), 0 for London in winter.
local UTC_OFFSET_MINUTES = 0
local DAY_STARTS_AT_HOUR = 0

-- Exceptions, first match wins. Keys: productId, scheduleId, gatePrefix (a gate whose name
-- starts with it), minDays (a schedule lasting at least that many days). Examples:
--   { productId = "prd_0123...", reentry = "ONCE_PER_DAY", rule = "three-day festival pass" },
--   { gatePrefix = "vip-", reentry = "AFTER_EXIT", rule = "VIP lounge: out and back in" },
--   { minDays = 2, reentry = "ONCE_PER_DAY", rule = "multi-day schedules" },
local RULES = {}

local DEFAULT = { reentry = "NONE", allowStaticCode = true, rule = "one entry per ticket" }

fallback = { reentry = "NONE", allowStaticCode = true, utcOffsetMinutes = 0, dayStartsAtHour = 0,
             rule = "check-in policy unavailable: one entry per ticket", fallback = true }

local function matches(row, input)
  if row.productId and row.productId ~= input.productId then return false end
  if row.scheduleId and row.scheduleId ~= input.scheduleId then return false end
  if row.gatePrefix and string.sub(input.gate or "", 1, #row.gatePrefix) ~= row.gatePrefix then
    return false
  end
  if row.minDays and (input.endsAt - input.startsAt) < row.minDays * 86400 then return false end
  return true
end

-- `rules` is a parameter so that the tests can try rows without editing RULES.
local function decide_with(rules, input)
  assert(type(input.scheduleId) == "string" and input.scheduleId ~= "", "scheduleId is required")
  assert(math.type(input.startsAt) == "integer", "startsAt must be epoch seconds")
  assert(math.type(input.endsAt) == "integer", "endsAt must be epoch seconds")
  local chosen = DEFAULT
  for _, row in ipairs(rules) do
    if matches(row, input) then
      chosen = row
      break
    end
  end
  local allow_static = chosen.allowStaticCode
  if allow_static == nil then allow_static = true end
  return { reentry = chosen.reentry or "NONE", allowStaticCode = allow_static,
           utcOffsetMinutes = UTC_OFFSET_MINUTES, dayStartsAtHour = DAY_STARTS_AT_HOUR,
           rule = chosen.rule or "" }
end

function decide(input)
  if type(input.rules) == "table" and input.tryRules == true then
    -- Only the tests send rows to try (see checkin_test.lua); live inputs never carry them.
    return decide_with(input.rules, input)
  end
  return decide_with(RULES, input)
end

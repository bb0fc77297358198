local START = 1800000000
local function input(extra)
  local t = { scheduleId = "sch_1", productId = "prd_1", startsAt = START,
              endsAt = START + 4 * 3600, gate = "north-1" }
  for k, v in pairs(extra or {}) do t[k] = v end
  return t
end

function test_default_is_one_entry_with_static_codes()
  local d = decide(input())
  assert_eq(d.reentry, "NONE")
  assert_eq(d.allowStaticCode, true)
  assert_eq(d.utcOffsetMinutes, 0)
  assert_eq(d.dayStartsAtHour, 0)
end

function test_fallback_is_one_entry()
  assert_eq(fallback.reentry, "NONE")
  assert_eq(fallback.fallback, true)
end

function test_first_matching_row_wins()
  local rules = {
    { productId = "prd_fest", reentry = "ONCE_PER_DAY", rule = "festival" },
    { gatePrefix = "vip-", reentry = "AFTER_EXIT", allowStaticCode = false, rule = "vip" },
    { minDays = 2, reentry = "ONCE_PER_DAY", rule = "long" },
  }
  local function try(extra)
    local i = input(extra)
    i.rules, i.tryRules = rules, true
    return decide(i)
  end
  assert_eq(try({ productId = "prd_fest", gate = "vip-1" }).rule, "festival")
  local vip = try({ gate = "vip-2" })
  assert_eq(vip.reentry, "AFTER_EXIT")
  assert_eq(vip.allowStaticCode, false)
  assert_eq(try({ gate = "north-vip-1" }).reentry, "NONE")  -- a prefix, not a substring
  assert_eq(try({ endsAt = START + 3 * 86400 }).reentry, "ONCE_PER_DAY")
  assert_eq(try({ endsAt = START + 86400 }).reentry, "NONE")
  assert_eq(try({ gate = "" }).reentry, "NONE")  -- a kit's decision has no gate
end

function test_bad_input_is_refused()
  assert(not pcall(decide, { productId = "prd_1", startsAt = START, endsAt = START }))
  assert(not pcall(decide, input({ startsAt = "tomorrow" })))
  assert(not pcall(decide, input({ endsAt = 1.5 })))
end

-- Test override of policies/checkin.lua (ticket_reentry_e2e_test.cpp): the rule follows a tag
-- in the schedule id, so each test picks its rule by naming its schedule.
--   *_door*     AFTER_EXIT
--   *_daily*    ONCE_PER_DAY (venue at UTC+9, days start at 04:00)
--   *_noprint*  NONE, static codes refused
--   otherwise   NONE
fallback = { reentry = "NONE", allowStaticCode = true, utcOffsetMinutes = 0, dayStartsAtHour = 0,
             fallback = true }

function decide(input)
  local id = input.scheduleId
  local rule = { reentry = "NONE", allowStaticCode = true, utcOffsetMinutes = 540,
                 dayStartsAtHour = 4, rule = "test" }
  if string.find(id, "_door", 1, true) then rule.reentry = "AFTER_EXIT" end
  if string.find(id, "_daily", 1, true) then rule.reentry = "ONCE_PER_DAY" end
  if string.find(id, "_noprint", 1, true) then rule.allowStaticCode = false end
  return rule
end

-- Refund share by time left before the performance.
--
-- input:  { performanceAt = <epoch seconds>, paid = <amount paid, minor units> }
-- output: { sharePercent, amount, rule }

local DAY = 86400
-- First matching row wins: at least `before` seconds before the performance -> `percent`.
local SCHEDULE = {
  { before = 10 * DAY, percent = 100, rule = "10 days or more before" },
  { before = 3 * DAY, percent = 90, rule = "3 to 10 days before" },
  { before = 1 * DAY, percent = 70, rule = "1 to 3 days before" },
  { before = 0, percent = 0, rule = "less than a day before" },
}

fallback = { sharePercent = 0, amount = 0, rule = "refund policy unavailable", fallback = true }

function decide(input)
  local paid = input.paid or 0
  local left = input.performanceAt - now()
  if left < 0 then
    return { sharePercent = 0, amount = 0, rule = "performance has started" }
  end
  for _, row in ipairs(SCHEDULE) do
    if left >= row.before then
      return { sharePercent = row.percent, amount = paid * row.percent // 100, rule = row.rule }
    end
  end
end

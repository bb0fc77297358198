-- Seat hold and payment windows by product category.
--
-- input:  { category = "concert" | "musical" | ... (optional) }
-- output: { category, holdSeconds, paymentSeconds, holdExpiresAt, paymentExpiresAt }
--         (*ExpiresAt are epoch seconds from the host clock)

local DEFAULT = { hold = 300, payment = 600 }
-- Categories that differ from the default; add lines here.
local BY_CATEGORY = {
  concert = { hold = 300, payment = 600 },
  musical = { hold = 300, payment = 600 },
  sports = { hold = 300, payment = 600 },
}

fallback = { holdSeconds = 300, paymentSeconds = 600, fallback = true }

function decide(input)
  local category = input.category or "default"
  local window = BY_CATEGORY[category] or DEFAULT
  local at = now()
  return {
    category = category,
    holdSeconds = window.hold,
    paymentSeconds = window.payment,
    holdExpiresAt = at + window.hold,
    paymentExpiresAt = at + window.payment,
  }
end

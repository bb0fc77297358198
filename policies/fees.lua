-- Booking and transfer fees by membership tier (amounts in KRW, the venue currency's minor unit).
--
-- input:  { kind = "booking" | "transfer", tier = "SILVER" | "GOLD" | "DIAMOND" | nil,
--           quantity = <tickets> (booking), price = <transfer price> (transfer) }
-- output: { kind, tier, currency, perTicket (booking), rateBps (transfer), amount }

local BOOKING_FEE_PER_TICKET = { NONE = 0, SILVER = 3000, GOLD = 2000, DIAMOND = 1000 }
-- Transfer fee in basis points of the transfer price (1000 = 10%).
local TRANSFER_FEE_BPS = { NONE = 1000, SILVER = 1000, GOLD = 500, DIAMOND = 500 }

-- Used when a call fails or exceeds its limits: the highest rates; callers compute the amount.
fallback = { currency = "KRW", perTicket = 3000, rateBps = 1000, fallback = true }

local function tier_of(input)
  local tier = input.tier
  if tier == nil or tier == "" then return "NONE" end
  tier = string.upper(tier)
  if BOOKING_FEE_PER_TICKET[tier] == nil then error("unknown membership tier '" .. tier .. "'") end
  return tier
end

local function whole(value, field)
  if math.type(value) ~= "integer" or value < 0 then
    error(field .. " must be a non-negative integer")
  end
  return value
end

function decide(input)
  local tier = tier_of(input)
  local kind = input.kind or "booking"
  if kind == "booking" then
    local quantity = whole(input.quantity or 1, "quantity")
    local per_ticket = BOOKING_FEE_PER_TICKET[tier]
    return { kind = kind, tier = tier, currency = "KRW", perTicket = per_ticket,
             quantity = quantity, amount = per_ticket * quantity }
  elseif kind == "transfer" then
    local price = whole(input.price, "price")
    local bps = TRANSFER_FEE_BPS[tier]
    return { kind = kind, tier = tier, currency = "KRW", rateBps = bps,
             amount = price * bps // 10000 }
  end
  error("unknown fee kind '" .. tostring(kind) .. "'")
end

function test_booking_fee_per_tier()
  assert_eq(decide({ kind = "booking", quantity = 1 }).amount, 0, "no tier")
  assert_eq(decide({ kind = "booking", tier = "SILVER", quantity = 1 }).amount, 3000)
  assert_eq(decide({ kind = "booking", tier = "GOLD", quantity = 1 }).amount, 2000)
  assert_eq(decide({ kind = "booking", tier = "DIAMOND", quantity = 1 }).amount, 1000)
end

function test_booking_fee_is_per_ticket()
  assert_eq(decide({ tier = "GOLD", quantity = 3 }),
            { kind = "booking", tier = "GOLD", currency = "KRW", perTicket = 2000,
              quantity = 3, amount = 6000 })
end

function test_transfer_fee_by_tier()
  assert_eq(decide({ kind = "transfer", price = 150000 }).amount, 15000, "no tier: 10%")
  assert_eq(decide({ kind = "transfer", tier = "SILVER", price = 150000 }).amount, 15000)
  assert_eq(decide({ kind = "transfer", tier = "GOLD", price = 150000 }).amount, 7500)
  assert_eq(decide({ kind = "transfer", tier = "DIAMOND", price = 99999 }).amount, 4999, "rounds down")
end

function test_tier_is_case_insensitive()
  assert_eq(decide({ tier = "gold", quantity = 1 }).tier, "GOLD")
end

function test_bad_input_is_an_error()
  assert(not pcall(decide, { tier = "PLATINUM", quantity = 1 }), "unknown tier")
  assert(not pcall(decide, { tier = "GOLD", quantity = -1 }), "negative quantity")
  assert(not pcall(decide, { kind = "transfer", tier = "GOLD" }), "missing price")
end

function test_fallback_uses_highest_rates()
  assert_eq(fallback.perTicket, 3000)
  assert_eq(fallback.rateBps, 1000)
end

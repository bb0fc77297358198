function test_admits_at_the_rate()
  assert_eq(decide({ scheduleId = "s", waiting = 1000, active = 0 }).admitNow, 50)
end

function test_never_more_than_waiting()
  assert_eq(decide({ scheduleId = "s", waiting = 7, active = 0 }).admitNow, 7)
end

function test_respects_active_cap()
  assert_eq(decide({ scheduleId = "s", waiting = 1000, active = 480 }).admitNow, 20)
  assert_eq(decide({ scheduleId = "s", waiting = 1000, active = 600 }).admitNow, 0)
end

function test_operator_rate_override()
  local d = decide({ scheduleId = "s", waiting = 1000, active = 0, rateOverride = 3 })
  assert_eq(d.admitPerSecond, 3)
  assert_eq(d.admitNow, 3)
  assert_eq(decide({ scheduleId = "s", waiting = 1000, active = 0, rateOverride = 0 }).admitNow, 0)
end

function test_inventory_bounds_the_outflow()
  -- 10 free + 2 expiring soon, factor 1.5 until conversion is measured: at most 18 active.
  local d = decide({ scheduleId = "s", waiting = 1000, active = 10, seatsFree = 10,
                     expiringSoon = 2 })
  assert_eq(d.inventoryBound, 18)
  assert_eq(d.admitNow, 8)
end

function test_nothing_left_admits_nobody()
  local d = decide({ scheduleId = "s", waiting = 1000, active = 0, seatsFree = 0, held = 5,
                     expiringSoon = 0 })
  assert_eq(d.admitNow, 0)
end

function test_measured_conversion_sets_the_factor()
  assert_eq(decide({ scheduleId = "s", waiting = 9, active = 0, conversion = 0.5 }).conversionFactor, 2)
  assert_eq(decide({ scheduleId = "s", waiting = 9, active = 0, conversion = 0.1 }).conversionFactor, 3)
  assert_eq(decide({ scheduleId = "s", waiting = 9, active = 0, conversion = 1 }).conversionFactor, 1)
  assert_eq(decide({ scheduleId = "s", waiting = 9, active = 0 }).conversionFactor, 1.5)
end

function test_token_ttl_is_decided()
  assert_eq(decide({ scheduleId = "s", waiting = 0, active = 0 }).tokenTtlSeconds, 300)
end

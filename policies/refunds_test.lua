local DAY = 86400

function test_full_refund_long_before()
  set_now(0)
  assert_eq(decide({ performanceAt = 20 * DAY, paid = 50000 }).amount, 50000)
end

function test_partial_refunds()
  set_now(0)
  assert_eq(decide({ performanceAt = 5 * DAY, paid = 50000 }).sharePercent, 90)
  assert_eq(decide({ performanceAt = 2 * DAY, paid = 50000 }).amount, 35000)
end

function test_no_refund_on_the_day()
  set_now(0)
  assert_eq(decide({ performanceAt = 3600, paid = 50000 }).amount, 0)
  assert_eq(decide({ performanceAt = -1, paid = 50000 }).rule, "performance has started")
end

function test_boundaries()
  set_now(0)
  assert_eq(decide({ performanceAt = 10 * DAY, paid = 100 }).sharePercent, 100)
  assert_eq(decide({ performanceAt = 10 * DAY - 1, paid = 100 }).sharePercent, 90)
end

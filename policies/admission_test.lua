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

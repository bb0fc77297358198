function test_tags_pick_the_rule()
  assert_eq(decide({ scheduleId = "sch_seats_10_door_t1x1" }).reentry, "AFTER_EXIT")
  assert_eq(decide({ scheduleId = "sch_seats_10_daily_t1x2" }).reentry, "ONCE_PER_DAY")
  assert_eq(decide({ scheduleId = "sch_seats_10_noprint_t1x3" }).allowStaticCode, false)
  assert_eq(decide({ scheduleId = "sch_seats_10_t1x4" }).reentry, "NONE")
end

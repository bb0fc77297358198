// The change list's records (seat_change.hpp): what one host writes another reads back whole,
// and a record it cannot read is refused (the relay then sends a snapshot) instead of guessed.
#include <gtest/gtest.h>

#include "plugins/product/src/seat_change.hpp"

namespace admit::product {
namespace {

TEST(SeatChangeRecord, ARecordReadsBackAsTheChangeItWasWrittenFrom) {
    const SeatChange change{"sch_1", "HELD", {"seat_a", "seat_b"}, {{"grd_r", 148}, {"grd_s", 0}}};
    auto read = parse_recorded_change("sch_1", "42 " + change_record(change));
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->version, 42);
    EXPECT_EQ(read->change.schedule_id, "sch_1");
    EXPECT_EQ(read->change.status, "HELD");
    EXPECT_EQ(read->change.changed, change.changed);
    EXPECT_EQ(read->change.remaining, change.remaining);

    const SeatChange released{"sch_1", "", {}, {{"grd_r", 150}}};  // AVAILABLE, stock only
    read = parse_recorded_change("sch_1", "1796674519639 " + change_record(released));
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->version, 1796674519639);
    EXPECT_EQ(read->change.status, "");
    EXPECT_TRUE(read->change.changed.empty());
}

TEST(SeatChangeRecord, AnEntryItCannotReadIsRefused) {
    const std::string record = change_record(SeatChange{"sch_1", "SOLD", {"seat_a"}, {}});
    for (const std::string& entry :
         {std::string(""), record, "x1 " + record, "12" + record, "-1x " + record,
          std::string("7 {not json"), std::string("7 []"), std::string(R"(7 {"status":"HELD"})"),
          std::string(R"(7 {"status":1,"seatIds":[],"remaining":{}})"),
          std::string(R"(7 {"status":"HELD","seatIds":[1],"remaining":{}})"),
          std::string(R"(7 {"status":"HELD","seatIds":[],"remaining":{"g":"1"}})")}) {
        EXPECT_FALSE(parse_recorded_change("sch_1", entry).has_value()) << entry;
    }
}

TEST(SeatChangeRecord, MapVersionsAreNumbersOnly) {
    EXPECT_EQ(map_version("17"), 17);
    EXPECT_EQ(map_version("1796674519639"), 1796674519639);
    EXPECT_FALSE(map_version("pg").has_value());  // a map read from PostgreSQL
    EXPECT_FALSE(map_version("").has_value());
    EXPECT_FALSE(map_version("17x").has_value());
}

}  // namespace
}  // namespace admit::product

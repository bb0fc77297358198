// Races and Redis loss through a real admitd: no seat or unit is ever handed out twice, and
// PostgreSQL agrees with every answer.
#include <set>

#include "reservation_e2e_fixture.hpp"
#include "tests/support/e2e_helpers.hpp"

namespace admit::testing {
namespace {

using ReservationRace = ReservationEndToEnd;

TEST_F(ReservationRace, TwoHundredBuyersForTenSeatsGiveExactlyTenHolds) {
    auto results = race(200, [&](int i) {
        return hold_seats("usr_buyer" + std::to_string(i), "sch_seats_100",
                          {"seat_" + std::to_string(i % 10 + 1)});
    });
    int held = 0, taken = 0;
    std::set<std::string> seats;
    for (const auto& r : results) {
        if (r.status == 201) {
            ++held;
            seats.insert(std::string(json_of(r).at("seatIds").as_array().at(0).as_string()));
        } else {
            EXPECT_EQ(r.status, 409) << r.body;
            EXPECT_EQ(code_of(r), "SEAT_TAKEN") << r.body;
            ++taken;
        }
    }
    EXPECT_EQ(held, 10);
    EXPECT_EQ(taken, 190);
    EXPECT_EQ(seats.size(), 10u);
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM reservation.claims WHERE schedule_id = 'sch_seats_100'"),
        10);
    EXPECT_EQ(
        pg_scalar(
            "SELECT count(*) FROM reservation.reservations WHERE schedule_id = 'sch_seats_100' "
            "AND status = 'PENDING_PAYMENT'"),
        10);
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM (SELECT unnest(claim_ids) FROM reservation.reservations "
                  "WHERE status IN ('PENDING_PAYMENT', 'CONFIRMED') GROUP BY 1 HAVING count(*) > "
                  "1) twice"),
        0);
}

TEST_F(ReservationRace, TwoHundredBuyersForFiftyUnitsGiveExactlyFiftyHolds) {
    auto results = race(200, [&](int i) {
        return hold_units("usr_fan" + std::to_string(i), "sch_ga_50", "grd_ga", 1);
    });
    int held = 0, sold_out = 0;
    for (const auto& r : results) {
        if (r.status == 201) {
            ++held;
        } else {
            EXPECT_EQ(r.status, 409) << r.body;
            EXPECT_EQ(code_of(r), "SOLD_OUT") << r.body;
            ++sold_out;
        }
    }
    EXPECT_EQ(held, 50);
    EXPECT_EQ(sold_out, 150);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM reservation.claims WHERE schedule_id = 'sch_ga_50'"),
              50);
    EXPECT_EQ(pg_scalar("SELECT count(DISTINCT claim_id) FROM reservation.claims WHERE schedule_id "
                        "= 'sch_ga_50'"),
              50);
    EXPECT_EQ(pg_scalar("SELECT coalesce(sum(quantity), 0) FROM reservation.reservations "
                        "WHERE schedule_id = 'sch_ga_50' AND status = 'PENDING_PAYMENT'"),
              50);
}

// A winner's answer comes from the batch writer (ABI 1.6): the handler does not wait for the
// commit. With one worker thread, a waiting handler lets exactly one hold into each batch (60
// buyers, 60 batches); answered later, the one worker keeps deciding holds while a batch commits,
// and the next batch takes them together (35-39 batches in the runs that set this bound).
TEST_F(ReservationRace, WithOneWorkerHoldsStillShareBatchesBecauseNoHandlerWaitsForItsCommit) {
    start_admitd(false, "", /*workers=*/1);
    auto results = race(60, [&](int i) {
        return hold_units("usr_one" + std::to_string(i), "sch_ga_60", "grd_ga", 1);
    });
    for (const auto& r : results) ASSERT_EQ(r.status, 201) << r.body;
    const auto metrics = http_request(port_, "GET", "/metrics").body;
    const double holds = metric_value(metrics, "admit_reservation_batched_holds_total");
    const double batches = metric_value(metrics, "admit_reservation_hold_batches_total");
    EXPECT_EQ(holds, 60) << metrics;
    EXPECT_GT(batches, 0);
    EXPECT_LE(batches, 50) << "holds waited for their own batch one at a time";
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM reservation.claims WHERE schedule_id = 'sch_ga_60'"),
              60);
}

TEST_F(ReservationRace, RedisFlushMidSaleSellsNoSeatTwiceAndHoldsResume) {
    for (int i = 1; i <= 5; ++i) {
        auto r = hold_seats("usr_early" + std::to_string(i), "sch_seats_50",
                            {"seat_" + std::to_string(i)});
        ASSERT_EQ(r.status, 201) << r.body;
    }
    const int64_t epoch_before = pg_scalar("SELECT epoch FROM reservation.fencing_epoch");
    ASSERT_NE(redis_cli("FLUSHALL").find("OK"), std::string::npos);

    // After the loss: everyone races for the five seats already held and five free ones.
    auto results = race(100, [&](int i) {
        return hold_seats("usr_late" + std::to_string(i), "sch_seats_50",
                          {"seat_" + std::to_string(i % 10 + 1)});
    });
    int held = 0;
    for (const auto& r : results) {
        if (r.status == 201) {
            ++held;
            const auto seat = std::string(json_of(r).at("seatIds").as_array().at(0).as_string());
            EXPECT_GT(std::stoi(seat.substr(5)), 5)
                << "a seat held before the flush was sold again: " << seat;
        } else {
            EXPECT_TRUE(r.status == 409 || r.status == 503) << r.status << " " << r.body;
        }
    }
    EXPECT_EQ(held, 5);
    EXPECT_GT(pg_scalar("SELECT epoch FROM reservation.fencing_epoch"), epoch_before);
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM reservation.claims WHERE schedule_id = 'sch_seats_50'"),
        10);
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM (SELECT unnest(claim_ids) FROM reservation.reservations "
                  "WHERE status IN ('PENDING_PAYMENT', 'CONFIRMED') GROUP BY 1 HAVING count(*) > "
                  "1) twice"),
        0);
    // Fencing tokens of holds after the loss are larger than every token before it.
    EXPECT_GT(pg_scalar("SELECT min(fencing_token) FROM reservation.reservations WHERE user_id "
                        "LIKE 'usr_late%'"),
              pg_scalar("SELECT max(fencing_token) FROM reservation.reservations WHERE user_id "
                        "LIKE 'usr_early%'"));

    // A Redis restart (data and script cache lost): holds resume on free seats, taken ones stay
    // taken.
    storage_.stop_redis();
    storage_.start_redis();
    int status = 0;
    for (int attempt = 0; attempt < 100 && status != 201; ++attempt) {
        status = hold_seats("usr_after_restart", "sch_seats_50", {"seat_20"}).status;
        if (status != 201) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(status, 201);
    auto again = hold_seats("usr_after_restart2", "sch_seats_50", {"seat_1"});
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(code_of(again), "SEAT_TAKEN");
}

TEST_F(ReservationRace, SeatsHeldOnlyInPostgresAreRefusedByTheDatabase) {
    // Simulates Redis forgetting one seat without losing the schedule: PostgreSQL still refuses.
    auto first = hold_seats("usr_a", "sch_seats_20", {"seat_3", "seat_4"});
    ASSERT_EQ(first.status, 201) << first.body;
    redis_cli("DEL reservation:sch_seats_20:seat:seat_4");
    auto second = hold_seats("usr_b", "sch_seats_20", {"seat_4", "seat_5"});
    EXPECT_EQ(second.status, 409) << second.body;
    EXPECT_EQ(code_of(second), "SEAT_TAKEN");
    // All-or-nothing: seat_5 was given back, in Redis and PostgreSQL.
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM reservation.claims WHERE claim_id = 'seat_5'"), 0);
    EXPECT_EQ(hold_seats("usr_c", "sch_seats_20", {"seat_5"}).status, 201);
}

}  // namespace
}  // namespace admit::testing

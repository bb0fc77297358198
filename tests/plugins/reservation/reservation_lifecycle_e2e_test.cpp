// The reservation lifecycle, limits, idempotency, ownership and input validation through a real
// admitd.
#include <chrono>
#include <set>
#include <thread>

#include "reservation_e2e_fixture.hpp"

namespace admit::testing {
namespace {

using ReservationLifecycle = ReservationEndToEnd;

std::string id_of(const HttpResult& r) {
    boost::system::error_code ec;
    auto value = boost::json::parse(r.body, ec);
    return ec ? "" : std::string(value.at("reservationId").as_string());
}

TEST_F(ReservationLifecycle, AHoldIsPendingPaymentWithPricesFeesAndPolicyRevisions) {
    // test_auth reads "test:customer:usr_gold:GOLD" as user usr_gold with tier GOLD.
    auto r = as("usr_gold:GOLD", "POST", "/api/v1/reservations",
                R"({"scheduleId": "sch_seats_100", "seatIds": ["seat_1", "seat_50"]})");
    ASSERT_EQ(r.status, 201) << r.body;
    auto body = json_of(r);
    EXPECT_EQ(body.at("status"), "PENDING_PAYMENT");
    EXPECT_EQ(body.at("price").at("subtotal").at("amount"), 250000);  // VIP 150000 + R 100000
    EXPECT_EQ(body.at("price").at("fees").at("amount"), 4000);        // GOLD: 2000 per ticket
    EXPECT_EQ(body.at("price").at("total").at("amount"), 254000);
    EXPECT_TRUE(body.at("policyRevision").as_object().contains("fees"));
    EXPECT_TRUE(body.at("policyRevision").as_object().contains("expiry"));
    EXPECT_FALSE(body.at("expiresAt").as_string().empty());
    auto fetched = as("usr_gold", "GET", "/api/v1/reservations/" + id_of(r));
    ASSERT_EQ(fetched.status, 200) << fetched.body;
    EXPECT_EQ(json_of(fetched).at("price"), body.at("price"));
    auto list = as("usr_gold", "GET", "/api/v1/reservations?limit=10");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(json_of(list).at("items").as_array().size(), 1u);
}

TEST_F(ReservationLifecycle, ConfirmThenCancelRefundsAndFreesTheSeat) {
    auto held = hold_seats("usr_buyer", "sch_seats_10", {"seat_2"});
    ASSERT_EQ(held.status, 201) << held.body;
    const auto id = id_of(held);
    auto unpaid_quote = as("usr_buyer", "GET", "/api/v1/reservations/" + id + "/refund-quote");
    EXPECT_EQ(unpaid_quote.status, 409) << unpaid_quote.body;
    EXPECT_EQ(code_of(unpaid_quote), "INVALID_STATE");
    auto confirmed =
        as("usr_admin", "POST", "/api/v1/test/reservations/" + id + "/confirm", "{}", {}, "admin");
    ASSERT_EQ(confirmed.status, 200) << confirmed.body;
    EXPECT_EQ(json_of(confirmed).at("status"), "CONFIRMED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM reservation.claims WHERE reservation_id = '" + id +
                        "' AND status = 'SOLD'"),
              1);
    auto release = as("usr_buyer", "DELETE", "/api/v1/reservations/" + id);
    EXPECT_EQ(release.status, 409) << release.body;
    EXPECT_EQ(code_of(release), "INVALID_STATE");
    EXPECT_EQ(hold_seats("usr_other", "sch_seats_10", {"seat_2"}).status, 409);

    // The preview the buyer sees before confirming the cancel: what the cancel then refunds,
    // and nothing changes by asking.
    auto quote = as("usr_buyer", "GET", "/api/v1/reservations/" + id + "/refund-quote");
    ASSERT_EQ(quote.status, 200) << quote.body;
    EXPECT_EQ(json_of(quote).at("paid"), json_of(held).at("price").at("total"));
    EXPECT_EQ(json_of(quote).at("sharePercent"), 100);
    EXPECT_FALSE(json_of(quote).at("rule").as_string().empty());
    EXPECT_EQ(json_of(as("usr_buyer", "GET", "/api/v1/reservations/" + id)).at("status"),
              "CONFIRMED");
    EXPECT_EQ(as("usr_other", "GET", "/api/v1/reservations/" + id + "/refund-quote").status, 404);

    auto cancelled = as("usr_buyer", "POST", "/api/v1/reservations/" + id + "/cancel");
    ASSERT_EQ(cancelled.status, 200) << cancelled.body;
    EXPECT_EQ(json_of(cancelled).at("status"), "CANCELLED");
    EXPECT_EQ(json_of(cancelled).at("refund").at("amount"),
              json_of(held).at("price").at("total").at("amount"));
    EXPECT_EQ(json_of(cancelled).at("refund"), json_of(quote).at("refund"));
    EXPECT_EQ(json_of(cancelled).at("policyRevision").at("refunds"),
              json_of(quote).at("policyRevision"));
    EXPECT_EQ(hold_seats("usr_other", "sch_seats_10", {"seat_2"}).status, 201);
}

TEST_F(ReservationLifecycle, ReleaseAndPaymentFailureFreeTheSeats) {
    auto a = hold_seats("usr_a", "sch_seats_10", {"seat_1"});
    ASSERT_EQ(a.status, 201) << a.body;
    auto released = as("usr_a", "DELETE", "/api/v1/reservations/" + id_of(a));
    ASSERT_EQ(released.status, 200) << released.body;
    EXPECT_EQ(json_of(released).at("status"), "CANCELLED");
    auto b = hold_seats("usr_b", "sch_seats_10", {"seat_1"});
    ASSERT_EQ(b.status, 201) << b.body;
    auto failed = as("usr_admin", "POST", "/api/v1/test/reservations/" + id_of(b) + "/fail", "{}",
                     {}, "admin");
    ASSERT_EQ(failed.status, 200) << failed.body;
    EXPECT_EQ(json_of(failed).at("status"), "PAYMENT_FAILED");
    EXPECT_EQ(hold_seats("usr_c", "sch_seats_10", {"seat_1"}).status, 201);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic LIKE 'reservation.%'"),
              5)
        << "held x3, released x2";
}

TEST_F(ReservationLifecycle, AProductCancellationCancelsPaidReservationsWithAFullRefund) {
    auto paid = hold_seats("usr_a", "sch_seats_10", {"seat_1"});
    ASSERT_EQ(paid.status, 201) << paid.body;
    ASSERT_EQ(as("usr_admin", "POST", "/api/v1/test/reservations/" + id_of(paid) + "/confirm", "{}",
                 {}, "admin")
                  .status,
              200);
    auto pending = hold_seats("usr_b", "sch_seats_10", {"seat_2"});
    ASSERT_EQ(pending.status, 201) << pending.body;
    auto other_schedule = hold_seats("usr_c", "sch_seats_20", {"seat_1"});
    ASSERT_EQ(other_schedule.status, 201) << other_schedule.body;
    ASSERT_EQ(
        as("usr_admin", "POST", "/api/v1/test/schedules/sch_seats_10/cancelled", "{}", {}, "admin")
            .status,
        204);
    std::string status;
    for (int i = 0; i < 400 && status != "CANCELLED"; ++i) {
        status = std::string(json_of(as("usr_a", "GET", "/api/v1/reservations/" + id_of(paid)))
                                 .at("status")
                                 .as_string());
        if (status != "CANCELLED") std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ASSERT_EQ(status, "CANCELLED");
    auto cancelled = json_of(as("usr_a", "GET", "/api/v1/reservations/" + id_of(paid)));
    EXPECT_EQ(cancelled.at("statusReason"), "PRODUCT_CANCELLED");
    EXPECT_EQ(cancelled.at("refund").at("amount"), cancelled.at("price").at("total").at("amount"));
    EXPECT_EQ(json_of(as("usr_b", "GET", "/api/v1/reservations/" + id_of(pending))).at("status"),
              "CANCELLED");
    EXPECT_EQ(
        json_of(as("usr_c", "GET", "/api/v1/reservations/" + id_of(other_schedule))).at("status"),
        "PENDING_PAYMENT");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM reservation.claims WHERE schedule_id = "
                        "'sch_seats_10'"),
              0);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = "
                        "'reservation.cancelled' AND payload::jsonb->>'reason' = "
                        "'PRODUCT_CANCELLED' AND payload::jsonb->>'paymentId' = 'pay_test'"),
              1);
}

class ReservationExpiry : public ReservationEndToEnd {
  protected:
    void SetUp() override { start_admitd(true); }
};

TEST_F(ReservationExpiry, ExpiredHoldsFreeTheirSeats) {
    auto held = hold_seats("usr_slow", "sch_seats_10", {"seat_7"});
    ASSERT_EQ(held.status, 201) << held.body;
    auto units = hold_units("usr_slow", "sch_ga_1", "grd_ga", 1);
    ASSERT_EQ(units.status, 201) << units.body;
    EXPECT_EQ(hold_seats("usr_fast", "sch_seats_10", {"seat_7"}).status, 409);
    EXPECT_EQ(hold_units("usr_fast", "sch_ga_1", "grd_ga", 1).status, 409);
    advance_clock(301);
    std::string status;
    for (int i = 0; i < 200 && status != "EXPIRED"; ++i) {
        auto r = as("usr_slow", "GET", "/api/v1/reservations/" + id_of(held));
        status = std::string(json_of(r).at("status").as_string());
        if (status != "EXPIRED") std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ASSERT_EQ(status, "EXPIRED");
    EXPECT_EQ(hold_seats("usr_fast", "sch_seats_10", {"seat_7"}).status, 201);
    int ga = 0;
    for (int i = 0; i < 200 && ga != 201; ++i) {
        ga = hold_units("usr_fast", "sch_ga_1", "grd_ga", 1).status;
        if (ga != 201) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    EXPECT_EQ(ga, 201);
}

class ReservationExpiryInSmallBatches : public ReservationEndToEnd {
  protected:
    void SetUp() override { start_admitd(true, "expire_batch = 2\n"); }
};

// The manual clock stands still after the jump, so the job is due once: that one run must give
// back every due hold, not one batch of two.
TEST_F(ReservationExpiryInSmallBatches, OneRunOfTheJobExpiresEveryDueHold) {
    std::vector<std::string> ids;
    for (int i = 1; i <= 5; ++i) {
        auto held =
            hold_seats("usr_h" + std::to_string(i), "sch_seats_10", {"seat_" + std::to_string(i)});
        ASSERT_EQ(held.status, 201) << held.body;
        ids.push_back(id_of(held));
    }
    advance_clock(301);
    int expired = 0;
    for (int round = 0; round < 200 && expired < 5; ++round) {
        expired = 0;
        for (int i = 0; i < 5; ++i) {
            auto r = as("usr_h" + std::to_string(i + 1), "GET",
                        "/api/v1/reservations/" + ids[static_cast<std::size_t>(i)]);
            if (json_of(r).at("status").as_string() == "EXPIRED") ++expired;
        }
        if (expired < 5) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    EXPECT_EQ(expired, 5);
}

TEST_F(ReservationLifecycle, PerUserLimitCountsHeldTickets) {
    ASSERT_EQ(hold_seats("usr_greedy", "sch_seats_100", {"seat_1", "seat_2", "seat_3"}).status,
              201);
    auto over = hold_seats("usr_greedy", "sch_seats_100", {"seat_4", "seat_5"});
    EXPECT_EQ(over.status, 422) << over.body;
    EXPECT_EQ(code_of(over), "LIMIT_EXCEEDED");
    EXPECT_EQ(hold_seats("usr_greedy", "sch_seats_100", {"seat_4"}).status, 201);
    EXPECT_EQ(code_of(hold_seats("usr_greedy", "sch_seats_100", {"seat_9"})), "LIMIT_EXCEEDED");
    EXPECT_EQ(code_of(hold_units("usr_greedy2", "sch_ga_100", "grd_ga", 5)), "LIMIT_EXCEEDED");
    // The refused attempts left the seats free.
    EXPECT_EQ(hold_seats("usr_modest", "sch_seats_100", {"seat_5", "seat_9"}).status, 201);
}

// Issue 13 item 8: hold, release, hold again is bounded per user and schedule over time
// (limits.lua maxHoldsPerWindow, 10 a day), so one buyer cannot keep a seat out of sale forever.
TEST_F(ReservationLifecycle, HoldReleaseHoldHoardingIsStoppedAtTheWindowBound) {
    int granted = 0;
    HttpResult refused;
    for (int round = 0; round < 25; ++round) {
        auto held = hold_seats("usr_hoarder", "sch_seats_10", {"seat_9"});
        if (held.status != 201) {
            refused = held;
            break;
        }
        ++granted;
        // The hoarder lets go; after four rounds an admin releases instead, so that the loop
        // stays under the booking rate limit (20 requests a minute per caller). Who releases
        // does not matter: no release gives a hold back.
        auto released =
            round < 4
                ? as("usr_hoarder", "DELETE", "/api/v1/reservations/" + id_of(held))
                : as("usr_admin", "DELETE", "/api/v1/reservations/" + id_of(held), "", {}, "admin");
        ASSERT_EQ(released.status, 200) << released.body;
    }
    EXPECT_EQ(granted, 10) << "limits.lua: maxHoldsPerWindow = 10";
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(code_of(refused), "LIMIT_EXCEEDED") << refused.body;
    EXPECT_NE(refused.body.find("holds per buyer"), std::string::npos) << refused.body;
    // The seat itself is free: another buyer takes it, and the hoarder may still use other
    // schedules (the bound is per schedule).
    EXPECT_EQ(hold_seats("usr_patient", "sch_seats_10", {"seat_9"}).status, 201);
    EXPECT_EQ(hold_seats("usr_hoarder", "sch_seats_100", {"seat_9"}).status, 201);
    // Redis keeps the count with the window as its TTL (one key per user and schedule).
    const auto ttl = redis_cli("PTTL reservation:sch_seats_10:made:usr_hoarder");
    EXPECT_GT(std::stoll(ttl), 86'000'000LL) << ttl;
}

TEST_F(ReservationLifecycle, ARetryWithTheSameIdempotencyKeyReturnsTheFirstReservation) {
    auto first = hold_seats("usr_retry", "sch_seats_10", {"seat_3"}, "key-1");
    ASSERT_EQ(first.status, 201) << first.body;
    EXPECT_EQ(first.headers.count("idempotent-replayed"), 0u);
    auto again = hold_seats("usr_retry", "sch_seats_10", {"seat_3"}, "key-1");
    ASSERT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(id_of(again), id_of(first));
    EXPECT_EQ(again.headers["idempotent-replayed"], "true");
    // Concurrent duplicates: one hold at most.
    auto results =
        race(20, [&](int) { return hold_seats("usr_racer", "sch_seats_10", {"seat_4"}, "key-2"); });
    std::set<std::string> ids;
    for (const auto& r : results) {
        if (r.status == 201)
            ids.insert(id_of(r));
        else
            EXPECT_EQ(code_of(r), "IDEMPOTENCY_IN_FLIGHT") << r.status << " " << r.body;
    }
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM reservation.reservations WHERE user_id = 'usr_racer'"), 1);
}

TEST_F(ReservationLifecycle, AnIdempotencyKeyReusedForAnotherRequestIsRefused) {
    auto first = hold_seats("usr_reuse", "sch_seats_10", {"seat_6", "seat_7"}, "key-r");
    ASSERT_EQ(first.status, 201) << first.body;
    // The same request with the seats in another order is the same request: a replay.
    auto reordered = hold_seats("usr_reuse", "sch_seats_10", {"seat_7", "seat_6"}, "key-r");
    ASSERT_EQ(reordered.status, 201) << reordered.body;
    EXPECT_EQ(id_of(reordered), id_of(first));
    EXPECT_EQ(reordered.headers["idempotent-replayed"], "true");
    // Another seat, another schedule, or general admission under the same key: refused, and
    // nothing is held for it (the buyer must not silently get the first reservation).
    for (const auto& other :
         {hold_seats("usr_reuse", "sch_seats_10", {"seat_8"}, "key-r"),
          hold_seats("usr_reuse", "sch_seats_100", {"seat_6", "seat_7"}, "key-r"),
          hold_units("usr_reuse", "sch_ga_100", "grd_ga", 2, "key-r")}) {
        EXPECT_EQ(other.status, 422) << other.body;
        EXPECT_EQ(code_of(other), "IDEMPOTENCY_KEY_REUSED") << other.body;
        EXPECT_NE(other.body.find(id_of(first)), std::string::npos) << other.body;
    }
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM reservation.reservations WHERE user_id = 'usr_reuse'"), 1);
    // seat_8 is still free for anyone.
    EXPECT_EQ(hold_seats("usr_other", "sch_seats_10", {"seat_8"}).status, 201);
}

TEST_F(ReservationLifecycle, ACustomerCannotReadOrChangeAnothersReservation) {
    auto held = hold_seats("usr_owner", "sch_seats_10", {"seat_5"});
    ASSERT_EQ(held.status, 201) << held.body;
    const auto path = "/api/v1/reservations/" + id_of(held);
    EXPECT_EQ(as("usr_thief", "GET", path).status, 404);
    EXPECT_EQ(as("usr_thief", "DELETE", path).status, 404);
    EXPECT_EQ(as("usr_thief", "POST", path + "/cancel").status, 404);
    EXPECT_EQ(json_of(as("usr_thief", "GET", "/api/v1/reservations")).at("items").as_array().size(),
              0u);
    EXPECT_EQ(http_request(port_, "GET", path).status, 401);
    EXPECT_EQ(as("usr_owner", "GET", path).status, 200);
    EXPECT_EQ(as("usr_admin", "GET", path, "", {}, "admin").status, 200);
}

TEST_F(ReservationLifecycle, AScheduledSaleIsReadiedInRedisBeforeItsFirstBuyer) {
    const std::string marker = "reservation:sch_seats_30_warm:ready";
    ASSERT_EQ(redis_cli("EXISTS " + marker).find('1'), std::string::npos)
        << "nothing readied it yet";
    ASSERT_EQ(as("usr_admin", "POST", "/api/v1/test/schedules/sch_seats_30_warm/scheduled", "{}",
                 {}, "admin")
                  .status,
              204);
    ASSERT_EQ(
        as("usr_admin", "POST", "/api/v1/test/schedules/sch_unknown_1/scheduled", "{}", {}, "admin")
            .status,
        204);
    bool ready = false;
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         !ready && std::chrono::steady_clock::now() < deadline;) {
        ready = redis_cli("EXISTS " + marker).find('1') != std::string::npos;
        if (!ready)
            std::this_thread::sleep_for(
                std::chrono::milliseconds(20));  // paced poll of the subscriber
    }
    EXPECT_TRUE(ready) << "product.scheduled did not ready the schedule";
    auto first = hold_seats("usr_first", "sch_seats_30_warm", {"seat_3"});
    EXPECT_EQ(first.status, 201) << first.body;
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_dead_letters"), 0)
        << "an unknown schedule is no failure";
}

TEST_F(ReservationLifecycle, SchedulesNotOnSaleRefuseHolds) {
    for (const char* schedule : {"sch_closed_10", "sch_later_10"}) {
        auto r = hold_seats("usr_early", schedule, {"seat_1"});
        EXPECT_EQ(r.status, 422) << schedule << " " << r.body;
        EXPECT_EQ(code_of(r), "NOT_ON_SALE");
    }
    auto unknown = hold_seats("usr_early", "sch_nowhere", {"seat_1"});
    EXPECT_EQ(unknown.status, 404) << unknown.body;
}

TEST_F(ReservationLifecycle, EveryInputIsValidatedAndTheFieldNamed) {
    struct Case {
        std::string body;
        std::string field;
    };
    const std::vector<Case> cases = {
        {"not json", "JSON"},
        {"[]", "object"},
        {"{}", "scheduleId"},
        {R"({"scheduleId": 7, "seatIds": ["seat_1"]})", "scheduleId"},
        {R"({"scheduleId": "", "seatIds": ["seat_1"]})", "scheduleId"},
        {R"({"scheduleId": "sch_seats_10"})", "seatIds"},
        {R"({"scheduleId": "sch_seats_10", "seatIds": []})", "seatIds"},
        {R"({"scheduleId": "sch_seats_10", "seatIds": [1]})", "seatIds"},
        {R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_1", "seat_1"]})", "seatIds"},
        {R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_99"]})", "seatIds"},
        {R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_1"], "quantity": 1})", "quantity"},
        {R"({"scheduleId": "sch_seats_10", "gradeId": "grd_vip", "quantity": 1})", "seatIds"},
        {R"({"scheduleId": "sch_ga_10", "seatIds": ["seat_1"]})", "seatIds"},
        {R"({"scheduleId": "sch_ga_10", "gradeId": "grd_ga"})", "quantity"},
        {R"({"scheduleId": "sch_ga_10", "gradeId": "grd_ga", "quantity": 0})", "quantity"},
        {R"({"scheduleId": "sch_ga_10", "gradeId": "grd_ga", "quantity": 1.5})", "quantity"},
        {R"({"scheduleId": "sch_ga_10", "gradeId": "grd_nope", "quantity": 1})", "gradeId"},
        {R"({"scheduleId": "sch_ga_10", "gradeId": 5, "quantity": 1})", "gradeId"},
    };
    for (const auto& c : cases) {
        auto r = as("usr_sloppy", "POST", "/api/v1/reservations", c.body);
        EXPECT_EQ(r.status, 400) << c.body << " -> " << r.body;
        EXPECT_EQ(code_of(r), "INVALID_REQUEST") << c.body;
        EXPECT_NE(json_of(r)["message"].as_string().find(c.field), std::string::npos)
            << c.body << " -> " << r.body;
    }
    EXPECT_EQ(as("usr_sloppy", "GET", "/api/v1/reservations?limit=0").status, 400);
    EXPECT_EQ(as("usr_sloppy", "GET", "/api/v1/reservations?limit=abc").status, 400);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM reservation.reservations"), 0);
}

}  // namespace
}  // namespace admit::testing

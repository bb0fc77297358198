// The saga at the edges of time (manual host clock): a hold protected while the provider
// confirms, and an approval that arrives after the hold is gone, with the seat still free
// (confirmed late) or resold (refunded in full, never a ticket for someone else's seat).
#include "payment_e2e_fixture.hpp"

namespace admit::testing {
namespace {

class PaymentSaga : public PaymentEndToEnd {
  protected:
    void SetUp() override { start_admitd(/*manual_clock=*/true); }

    // usr_second holds `seat` of sch_seats_10 once Redis has followed the expiry that freed it
    // (a moment after EXPIRED commits); the new reservation's id, or "" if it never succeeds.
    std::string resell(const std::string& seat) {
        std::string resold;
        (void)eventually([&] {
            auto r = as("usr_second", "POST", "/api/v1/reservations",
                        R"({"scheduleId": "sch_seats_10", "seatIds": [")" + seat + R"("]})");
            if (r.status == 201) resold = std::string(json_of(r).at("reservationId").as_string());
            return r.status == 201;
        });
        return resold;
    }
};

#define EXPECT_INVARIANTS()                                                      \
    do {                                                                         \
        auto violations = invariant_violations();                                \
        EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations); \
    } while (false)

TEST_F(PaymentSaga, AHoldBeingPaidIsProtectedPastItsExpiry) {
    const auto paying = hold("usr_buyer", "sch_seats_10", {"seat_1"});
    const auto idle = hold("usr_idle", "sch_seats_10", {"seat_2"});  // the sentinel
    const auto p = prepared("usr_buyer", paying);
    advance_clock(290);  // 10 s before the 300 s hold ends
    script(p.order_id, "UNKNOWN_CHARGED");
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 202);
    EXPECT_FALSE(pg_text("SELECT payment_hold_until FROM reservation.reservations WHERE id = '" +
                         paying + "'")
                     .empty());
    advance_clock(30);  // both holds are past expiresAt now
    ASSERT_TRUE(eventually([&] { return reservation_status(idle) == "EXPIRED"; }));
    EXPECT_EQ(reservation_status(paying), "PENDING_PAYMENT");  // protected by its payment
    EXPECT_EQ(as("usr_other", "POST", "/api/v1/reservations",
                 R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_1"]})")
                  .status,
              409);
    auto report = reconcile();
    EXPECT_EQ(report.at("resolvedApproved"), 1) << boost::json::serialize(report);
    EXPECT_EQ(reservation_status(paying), "CONFIRMED");
    EXPECT_TRUE(
        pg_text("SELECT status_reason FROM reservation.reservations WHERE id = '" + paying + "'")
            .empty());
    EXPECT_INVARIANTS();
}

TEST_F(PaymentSaga, TheProtectionEndsAtTheExpiryPolicysPaymentWindow) {
    // The payment asks for an hour; expiry.lua's paymentSeconds (600 from the hold's creation)
    // is the explicit maximum.
    start_admitd(/*manual_clock=*/true, "hold_protection_ms = 3600000\n");
    const auto paying = hold("usr_buyer", "sch_seats_10", {"seat_6"});
    const auto p = prepared("usr_buyer", paying);
    advance_clock(290);
    script(p.order_id, "UNKNOWN_CHARGED");
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 202);
    EXPECT_EQ(pg_scalar("SELECT extract(epoch FROM payment_hold_until - created_at)::bigint FROM "
                        "reservation.reservations WHERE id = '" +
                        paying + "'"),
              600);
    const auto early = hold("usr_idle", "sch_seats_10", {"seat_7"});  // expires at 590
    advance_clock(305);                                               // 595 s after the first hold
    ASSERT_TRUE(eventually([&] { return reservation_status(early) == "EXPIRED"; }));
    EXPECT_EQ(reservation_status(paying), "PENDING_PAYMENT");
    advance_clock(10);  // 605 s: the protection is over
    EXPECT_TRUE(eventually([&] { return reservation_status(paying) == "EXPIRED"; }));
}

TEST_F(PaymentSaga, AnApprovalAfterTheHoldExpiredConfirmsWhenTheSeatIsStillFree) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_3"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "UNKNOWN_CHARGED");
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 202);
    advance_clock(700);  // past the hold and past the longest protection (paymentSeconds 600)
    ASSERT_TRUE(eventually([&] { return reservation_status(rsv) == "EXPIRED"; }));
    auto report = reconcile();
    EXPECT_EQ(report.at("resolvedApproved"), 1) << boost::json::serialize(report);
    EXPECT_EQ(payment_status(p.payment_id), "APPROVED");
    EXPECT_EQ(reservation_status(rsv), "CONFIRMED");
    EXPECT_EQ(
        pg_text("SELECT status_reason FROM reservation.reservations WHERE id = '" + rsv + "'"),
        "CONFIRMED_LATE");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM reservation.claims WHERE reservation_id = '" + rsv +
                        "' AND status = 'SOLD'"),
              1);
    // The seat is sold: nobody else can hold it.
    auto other = as("usr_other", "POST", "/api/v1/reservations",
                    R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_3"]})");
    EXPECT_EQ(other.status, 409) << other.body;
    EXPECT_INVARIANTS();
}

TEST_F(PaymentSaga, GeneralAdmissionUnitsAreClaimedAgainAfterALateApproval) {
    auto held = as("usr_buyer", "POST", "/api/v1/reservations",
                   R"({"scheduleId": "sch_ga_3", "gradeId": "grd_ga", "quantity": 2})");
    ASSERT_EQ(held.status, 201) << held.body;
    const std::string rsv(json_of(held).at("reservationId").as_string());
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "UNKNOWN_CHARGED");
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 202);
    advance_clock(700);
    ASSERT_TRUE(eventually([&] { return reservation_status(rsv) == "EXPIRED"; }));
    reconcile();
    EXPECT_EQ(reservation_status(rsv), "CONFIRMED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM reservation.claims WHERE reservation_id = '" + rsv +
                        "' AND status = 'SOLD'"),
              2);
    // Of 3 units, 2 are sold again: Redis was rebuilt from PostgreSQL, so only 1 is left.
    auto two = as("usr_late", "POST", "/api/v1/reservations",
                  R"({"scheduleId": "sch_ga_3", "gradeId": "grd_ga", "quantity": 2})");
    EXPECT_EQ(two.status, 409) << two.body;
    auto one = as("usr_late", "POST", "/api/v1/reservations",
                  R"({"scheduleId": "sch_ga_3", "gradeId": "grd_ga", "quantity": 1})");
    EXPECT_EQ(one.status, 201) << one.body;
    EXPECT_INVARIANTS();
}

TEST_F(PaymentSaga, AnApprovalAfterTheSeatWasResoldIsRefundedInFull) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_4"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "UNKNOWN_CHARGED");
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 202);
    advance_clock(700);
    ASSERT_TRUE(eventually([&] { return reservation_status(rsv) == "EXPIRED"; }));
    const std::string resold = resell("seat_4");
    ASSERT_FALSE(resold.empty());

    auto report = reconcile();
    EXPECT_EQ(report.at("resolvedApproved"), 1) << boost::json::serialize(report);
    EXPECT_TRUE(eventually([&] { return payment_status(p.payment_id) == "REFUNDED"; }));
    // Fenced before the refund: this payment can never confirm it now.
    EXPECT_EQ(reservation_status(rsv), "PAYMENT_FAILED");
    EXPECT_EQ(
        pg_text("SELECT status_reason FROM reservation.reservations WHERE id = '" + rsv + "'"),
        "PAYMENT_REFUNDED");
    EXPECT_EQ(reservation_status(resold), "PENDING_PAYMENT");
    EXPECT_EQ(
        pg_text("SELECT reason FROM payment.refunds WHERE payment_id = '" + p.payment_id + "'"),
        "HOLD_LOST");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = "
                        "'payment.refunded' AND payload::jsonb->>'reason' = 'HOLD_LOST'"),
              1);
    EXPECT_EQ(
        pg_scalar("SELECT balance FROM stub_pay.charges WHERE order_id = '" + p.order_id + "'"), 0);
    // The second buyer keeps the seat and can pay for it.
    const auto q = prepared("usr_second", resold);
    ASSERT_EQ(confirm("usr_second", q.payment_id).status, 200);
    EXPECT_EQ(reservation_status(resold), "CONFIRMED");
    // Reconciling again changes nothing.
    reconcile();
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM payment.refunds"), 1);
    EXPECT_INVARIANTS();
}

// A run of the approval step after the refund was decided (the payment.approved delivery, a
// reconciliation, on another host) must not confirm the reservation once its seat is free again:
// scripts/chaos seed 3012 (Redis restarted, PostgreSQL slowed) ended with a reservation both
// CONFIRMED with tickets and refunded in full.
TEST_F(PaymentSaga, ARefundedLateApprovalNeverConfirmsLaterWhenTheSeatIsFreeAgain) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_6"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "UNKNOWN_CHARGED", "UNKNOWN");  // the refund stays pending
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 202);
    advance_clock(700);
    ASSERT_TRUE(eventually([&] { return reservation_status(rsv) == "EXPIRED"; }));
    const std::string resold = resell("seat_6");
    ASSERT_FALSE(resold.empty());
    reconcile();  // UNKNOWN -> APPROVED; the seat is taken: refund (pending at the provider)
    ASSERT_EQ(
        pg_text("SELECT status FROM payment.refunds WHERE payment_id = '" + p.payment_id + "'"),
        "PENDING");
    ASSERT_EQ(payment_status(p.payment_id), "APPROVED");
    // The buyer who asks again is not told APPROVED: the order is being refunded (API.md: a
    // confirm's APPROVED means the reservation is CONFIRMED).
    auto asked = confirm("usr_buyer", p.payment_id);
    EXPECT_EQ(asked.status, 409) << asked.body;
    EXPECT_EQ(code_of(asked), "RESERVATION_EXPIRED");
    // The second buyer lets the seat go; then the step runs once more for the first payment.
    ASSERT_EQ(as("usr_second", "DELETE", "/api/v1/reservations/" + resold).status, 200);
    pg_exec("UPDATE payment.payments SET saga_completed_at = NULL WHERE id = '" + p.payment_id +
            "'");
    advance_clock(60);
    reconcile();
    EXPECT_EQ(reservation_status(rsv), "PAYMENT_FAILED");
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM reservation.claims WHERE reservation_id = '" + rsv + "'"),
        0);
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM payment.refunds WHERE payment_id = '" + p.payment_id + "'"),
        1);
    // The seat is for sale again.
    EXPECT_EQ(as("usr_third", "POST", "/api/v1/reservations",
                 R"({"scheduleId": "sch_seats_10", "seatIds": ["seat_6"]})")
                  .status,
              201);
}

// A payment committed APPROVED whose saga has not confirmed the reservation yet (the process
// died between the two; its payment.approved delivery or the reconciler will): a confirm asked
// meanwhile answers 409 PAYMENT_IN_PROGRESS, never 200 APPROVED for an unconfirmed order, and
// 200 with the reservation CONFIRMED once the saga ran.
TEST_F(PaymentSaga, AnApprovedPaymentWhoseReservationIsNotConfirmedYetIsNotAnsweredApproved) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_9"});
    const auto p = prepared("usr_buyer", rsv);
    pg_exec("UPDATE payment.payments SET status = 'APPROVED', payment_key = 'pk_" + p.order_id +
            "', approved_amount = amount, approved_at = now(), updated_at = now() WHERE id = '" +
            p.payment_id + "'");
    auto asked = confirm("usr_buyer", p.payment_id);
    EXPECT_EQ(asked.status, 409) << asked.body;
    EXPECT_EQ(code_of(asked), "PAYMENT_IN_PROGRESS");
    EXPECT_EQ(reservation_status(rsv), "PENDING_PAYMENT");
    // The saga's step (here the reconciler's run of it, once the approval is old enough to be
    // taken for abandoned: 60 s) confirms the reservation; the hold (300 s) has not expired.
    advance_clock(120);
    reconcile();
    ASSERT_EQ(reservation_status(rsv), "CONFIRMED");
    auto again = confirm("usr_buyer", p.payment_id);
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json_of(again).at("reservationStatus"), "CONFIRMED");
}

TEST_F(PaymentSaga, AnAbandonedPaymentOfAnExpiredHoldIsClosedByReconciliation) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_8"});
    const auto p = prepared("usr_buyer", rsv);
    EXPECT_FALSE(
        pg_text("SELECT fees_revision FROM payment.payments WHERE id = '" + p.payment_id + "'")
            .empty());
    auto early = reconcile();
    EXPECT_EQ(early.at("abandoned"), 0) << boost::json::serialize(early);
    advance_clock(400);  // the hold (300 s) plus the 60 s grace are over
    auto report = reconcile();
    EXPECT_EQ(report.at("abandoned"), 1) << boost::json::serialize(report);
    EXPECT_EQ(payment_status(p.payment_id), "FAILED");
    EXPECT_EQ(
        pg_text("SELECT failure_code FROM payment.payments WHERE id = '" + p.payment_id + "'"),
        "RESERVATION_EXPIRED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM stub_pay.charges"), 0);
}

TEST_F(PaymentSaga, AnApprovalWhoseSagaNeverRanIsCompletedByReconciliation) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_9"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "UNKNOWN_CHARGED");
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 202);
    // As if the approval committed but its event was parked and no route ran the saga.
    pg_exec(
        "UPDATE payment.payments SET status = 'APPROVED', approved_amount = amount, "
        "approved_at = updated_at WHERE id = '" +
        p.payment_id + "'");
    auto early = reconcile();
    EXPECT_EQ(early.at("sagasCompleted"), 0) << boost::json::serialize(early);  // grace: 60 s
    EXPECT_EQ(reservation_status(rsv), "PENDING_PAYMENT");
    advance_clock(61);
    auto report = reconcile();
    EXPECT_EQ(report.at("sagasCompleted"), 1) << boost::json::serialize(report);
    EXPECT_EQ(reservation_status(rsv), "CONFIRMED");
    EXPECT_FALSE(
        pg_text("SELECT saga_completed_at FROM payment.payments WHERE id = '" + p.payment_id + "'")
            .empty());
    EXPECT_EQ(reconcile().at("sagasCompleted"), 0);
    EXPECT_INVARIANTS();
}

TEST_F(PaymentSaga, ConfirmingAfterTheHoldExpiredChargesNothing) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_5"});
    const auto p = prepared("usr_buyer", rsv);
    advance_clock(400);
    ASSERT_TRUE(eventually([&] { return reservation_status(rsv) == "EXPIRED"; }));
    auto r = confirm("usr_buyer", p.payment_id);
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(code_of(r), "RESERVATION_EXPIRED");
    EXPECT_EQ(payment_status(p.payment_id), "FAILED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM stub_pay.charges"), 0);
    auto again = prepare("usr_buyer", rsv);
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(code_of(again), "RESERVATION_EXPIRED");
    EXPECT_INVARIANTS();
}

}  // namespace
}  // namespace admit::testing

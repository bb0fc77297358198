// The buyer's payment flow through a real admitd and the stub provider: prepare, confirm,
// decline, amount tampering, ownership, webhooks (signature, replay, duplicates, order), the
// provider timeout resolved by reconciliation, refunds. Every test ends with the money
// invariants checked from PostgreSQL and stub_pay's ledger.
#include "payment_e2e_fixture.hpp"

#include <latch>
#include <thread>

namespace admit::testing {
namespace {

using PaymentFlow = PaymentEndToEnd;

#define EXPECT_INVARIANTS()                                                      \
    do {                                                                         \
        auto violations = invariant_violations();                                \
        EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations); \
    } while (false)

TEST_F(PaymentFlow, PrepareTakesTheAmountFromTheReservationAndConfirmConfirmsIt) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_1"});  // VIP 150000 + fee
    const int64_t total =
        pg_scalar("SELECT total FROM reservation.reservations WHERE id = '" + rsv + "'");
    // The client's amount is ignored: the reservation's total is what we charge.
    auto r = prepare("usr_buyer", rsv, R"(, "amount": 1)");
    ASSERT_EQ(r.status, 201) << r.body;
    auto body = json_of(r);
    EXPECT_EQ(body.at("amount").at("amount").as_int64(), total);
    EXPECT_EQ(body.at("status"), "READY");
    EXPECT_TRUE(std::string(body.at("checkoutUrl").as_string()).find("stub-pay") !=
                std::string::npos);
    const std::string payment(body.at("paymentId").as_string());
    const std::string order(body.at("orderId").as_string());

    auto confirmed = confirm("usr_buyer", payment, "pk_1", R"(, "amount": {"amount": 1})");
    ASSERT_EQ(confirmed.status, 200) << confirmed.body;
    EXPECT_EQ(json_of(confirmed).at("status"), "APPROVED");
    EXPECT_EQ(reservation_status(rsv), "CONFIRMED");
    EXPECT_EQ(pg_scalar("SELECT amount FROM stub_pay.charges WHERE order_id = '" + order + "'"),
              total);
    EXPECT_EQ(pg_text("SELECT payment_id FROM reservation.reservations WHERE id = '" + rsv + "'"),
              payment);
    // The provider exchange is kept.
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM payment.logs WHERE payment_id = '" + payment +
                        "' AND operation = 'confirm' AND exchange IS NOT NULL"),
              1);
    // A repeated confirm (also with providerKey, API.md's name) answers the same state.
    auto again = as("usr_buyer", "POST", "/api/v1/payments/confirm",
                    R"({"paymentId": ")" + payment + R"(", "providerKey": "pk_1"})");
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(json_of(again).at("status"), "APPROVED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM stub_pay.charges"), 1);
    // Events of the saga were published.
    for (const char* topic : {"payment.prepared", "payment.approved", "reservation.confirmed"}) {
        EXPECT_EQ(pg_scalar(std::string("SELECT count(*) FROM admit.event_outbox WHERE topic = '") +
                            topic + "'"),
                  1)
            << topic;
    }
    EXPECT_INVARIANTS();
}

TEST_F(PaymentFlow, PrepareRefusesBadInputOthersReservationsAndASecondLivePayment) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_2"});
    auto missing = as("usr_buyer", "POST", "/api/v1/payments/prepare", R"({"method": "CARD"})");
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(code_of(missing), "INVALID_REQUEST");
    EXPECT_NE(missing.body.find("reservationId"), std::string::npos);
    auto no_method =
        as("usr_buyer", "POST", "/api/v1/payments/prepare", R"({"reservationId": ")" + rsv + "\"}");
    EXPECT_EQ(no_method.status, 400);
    EXPECT_NE(no_method.body.find("method"), std::string::npos);
    EXPECT_EQ(as("usr_buyer", "POST", "/api/v1/payments/prepare", "not json").status, 400);
    auto unknown = prepare("usr_buyer", "rsv_nope");
    EXPECT_EQ(unknown.status, 404) << unknown.body;
    auto others = prepare("usr_other", rsv);
    EXPECT_EQ(others.status, 404) << others.body;
    EXPECT_EQ(as("", "POST", "/api/v1/payments/prepare", "{}", {{"Authorization", ""}}).status,
              401);

    auto first = prepared("usr_buyer", rsv);
    auto second = prepare("usr_buyer", rsv);  // the same live payment, not a second one
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(json_of(second).at("paymentId"), boost::json::value(first.payment_id));
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM payment.payments WHERE reservation_id = '" + rsv + "'"), 1);
    ASSERT_EQ(confirm("usr_buyer", first.payment_id).status, 200);
    auto paid = prepare("usr_buyer", rsv);
    EXPECT_EQ(paid.status, 409);
    EXPECT_EQ(code_of(paid), "ALREADY_PAID");
    EXPECT_INVARIANTS();
}

TEST_F(PaymentFlow, AnotherUsersPaymentIsNotFoundAndListsAreTheCallers) {
    const auto mine = prepared("usr_a", hold("usr_a", "sch_seats_10", {"seat_3"}));
    const auto theirs = prepared("usr_b", hold("usr_b", "sch_seats_10", {"seat_4"}));
    EXPECT_EQ(as("usr_a", "GET", "/api/v1/payments/" + mine.payment_id).status, 200);
    auto foreign = as("usr_a", "GET", "/api/v1/payments/" + theirs.payment_id);
    EXPECT_EQ(foreign.status, 404);
    EXPECT_EQ(code_of(foreign), "NOT_FOUND");
    auto foreign_confirm = confirm("usr_a", theirs.payment_id);
    EXPECT_EQ(foreign_confirm.status, 404);
    EXPECT_EQ(payment_status(theirs.payment_id), "READY");
    EXPECT_EQ(as("usr_a", "GET", "/api/v1/payments/pay_missing").status, 404);

    auto list = as("usr_a", "GET", "/api/v1/payments?limit=10");
    ASSERT_EQ(list.status, 200) << list.body;
    auto items = json_of(list).at("items").as_array();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].at("paymentId"), boost::json::value(mine.payment_id));
    EXPECT_TRUE(json_of(list).at("nextCursor").is_null());
    EXPECT_EQ(as("usr_a", "GET", "/api/v1/payments?limit=0").status, 400);

    // Admin: any payment, and the admin list with paging and filters.
    EXPECT_EQ(
        as("usr_admin", "GET", "/api/v1/payments/" + theirs.payment_id, "", {}, "admin").status,
        200);
    auto page = as("usr_admin", "GET", "/api/v1/admin/payments?limit=1", "", {}, "admin");
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_FALSE(json_of(page).at("nextCursor").is_null());
    auto rest = as("usr_admin", "GET",
                   "/api/v1/admin/payments?limit=1&cursor=" +
                       std::string(json_of(page).at("nextCursor").as_string()),
                   "", {}, "admin");
    ASSERT_EQ(rest.status, 200) << rest.body;
    EXPECT_EQ(json_of(rest).at("items").as_array().size(), 1u);
    EXPECT_NE(json_of(rest).at("items").as_array()[0].at("paymentId"),
              json_of(page).at("items").as_array()[0].at("paymentId"));
    EXPECT_EQ(as("usr_admin", "GET", "/api/v1/admin/payments?status=BOGUS", "", {}, "admin").status,
              400);
    EXPECT_EQ(as("usr_a", "GET", "/api/v1/admin/payments").status, 403);
}

TEST_F(PaymentFlow, ADeclineFailsThePaymentAndReleasesTheSeats) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_5"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "DECLINE");
    auto r = confirm("usr_buyer", p.payment_id);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json_of(r).at("status"), "FAILED");
    EXPECT_EQ(json_of(r).at("failure").at("code"), "REJECT_CARD_PAYMENT");
    EXPECT_EQ(reservation_status(rsv), "PAYMENT_FAILED");
    // The seat is free for the next buyer.
    EXPECT_FALSE(hold("usr_next", "sch_seats_10", {"seat_5"}).empty());
    EXPECT_INVARIANTS();
}

TEST_F(PaymentFlow, AChargeOfAnotherAmountIsRefusedAndRefunded) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_6"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "WRONG_AMOUNT");  // the provider charges 1000 more than we asked
    auto r = confirm("usr_buyer", p.payment_id);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(code_of(r), "AMOUNT_MISMATCH");
    EXPECT_TRUE(eventually([&] { return payment_status(p.payment_id) == "REFUNDED"; }));
    EXPECT_EQ(
        pg_scalar("SELECT balance FROM stub_pay.charges WHERE order_id = '" + p.order_id + "'"), 0);
    EXPECT_EQ(
        pg_text("SELECT reason FROM payment.refunds WHERE payment_id = '" + p.payment_id + "'"),
        "AMOUNT_MISMATCH");
    EXPECT_EQ(reservation_status(rsv), "PAYMENT_FAILED");
    EXPECT_INVARIANTS();
}

TEST_F(PaymentFlow, WebhooksNeedAValidSignatureAndAFreshTimestamp) {
    const auto p = prepared("usr_buyer", hold("usr_buyer", "sch_seats_10", {"seat_7"}));
    boost::json::object event{{"eventId", "evt_1"},    {"eventType", "PAYMENT_STATUS_CHANGED"},
                              {"orderId", p.order_id}, {"paymentKey", "pk_w"},
                              {"status", "APPROVED"},  {"amount", p.amount}};
    auto forged = webhook(event, 0, "whsec_wrong");
    EXPECT_EQ(forged.status, 401) << forged.body;
    EXPECT_EQ(code_of(forged), "UNAUTHENTICATED");
    auto unsigned_hook =
        http_request(port_, "POST", "/api/v1/payments/webhooks/stub_pay",
                     boost::json::serialize(event), {{"Content-Type", "application/json"}});
    EXPECT_EQ(unsigned_hook.status, 401);
    // A replay of an old, correctly signed webhook: the timestamp is outside the tolerance.
    const int64_t an_hour_ago = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count() -
                                3600;
    auto replayed = webhook(event, an_hour_ago);
    EXPECT_EQ(replayed.status, 401) << replayed.body;
    EXPECT_NE(replayed.body.find("timestamp"), std::string::npos);
    auto other_provider = http_request(port_, "POST", "/api/v1/payments/webhooks/toss", "{}",
                                       {{"Content-Type", "application/json"}});
    EXPECT_EQ(other_provider.status, 404);
    EXPECT_EQ(payment_status(p.payment_id), "READY");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM payment.webhook_events"), 0);
}

TEST_F(PaymentFlow, ConfirmAndWebhooksInAnyOrderAndAnyNumberReachOneEndState) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_8"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "UNKNOWN_CHARGED");  // charged, but the answer is lost
    auto unknown = confirm("usr_buyer", p.payment_id, "pk_8");
    ASSERT_EQ(unknown.status, 202) << unknown.body;
    EXPECT_EQ(json_of(unknown).at("status"), "UNKNOWN");
    EXPECT_EQ(reservation_status(rsv), "PENDING_PAYMENT");

    boost::json::object approved{{"eventId", "evt_ok"},   {"eventType", "PAYMENT_STATUS_CHANGED"},
                                 {"orderId", p.order_id}, {"paymentKey", "pk_8"},
                                 {"status", "APPROVED"},  {"amount", p.amount}};
    boost::json::object declined = approved;
    declined["eventId"] = "evt_old_decline";
    declined["status"] = "DECLINED";
    auto first = webhook(approved);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(json_of(first).at("duplicate"), false);
    EXPECT_TRUE(eventually([&] { return reservation_status(rsv) == "CONFIRMED"; }));
    EXPECT_EQ(payment_status(p.payment_id), "APPROVED");
    // Duplicates change nothing; a late (reordered) decline does not undo the approval.
    for (int i = 0; i < 3; ++i) {
        auto duplicate = webhook(approved);
        ASSERT_EQ(duplicate.status, 200) << duplicate.body;
        EXPECT_EQ(json_of(duplicate).at("duplicate"), true);
    }
    ASSERT_EQ(webhook(declined).status, 200);
    auto repeated = confirm("usr_buyer", p.payment_id, "pk_8");
    ASSERT_EQ(repeated.status, 200) << repeated.body;
    EXPECT_EQ(json_of(repeated).at("status"), "APPROVED");
    EXPECT_EQ(payment_status(p.payment_id), "APPROVED");
    EXPECT_EQ(reservation_status(rsv), "CONFIRMED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM payment.webhook_events"), 2);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM payment.refunds"), 0);
    EXPECT_INVARIANTS();
}

TEST_F(PaymentFlow, AProviderTimeoutIsUnknownUntilReconciliationAsks) {
    const auto charged_rsv = hold("usr_buyer", "sch_seats_10", {"seat_9"});
    const auto charged = prepared("usr_buyer", charged_rsv);
    script(charged.order_id, "UNKNOWN_CHARGED");
    const auto lost_rsv = hold("usr_buyer", "sch_seats_10", {"seat_10"});
    const auto lost = prepared("usr_buyer", lost_rsv);
    script(lost.order_id, "UNKNOWN_NOT_CHARGED");
    EXPECT_EQ(confirm("usr_buyer", charged.payment_id).status, 202);
    EXPECT_EQ(confirm("usr_buyer", lost.payment_id).status, 202);
    EXPECT_EQ(payment_status(charged.payment_id), "UNKNOWN");
    EXPECT_EQ(payment_status(lost.payment_id), "UNKNOWN");

    auto report = reconcile();
    EXPECT_EQ(report.at("resolvedApproved"), 1) << boost::json::serialize(report);
    EXPECT_EQ(report.at("resolvedFailed"), 1) << boost::json::serialize(report);
    EXPECT_EQ(payment_status(charged.payment_id), "APPROVED");
    EXPECT_EQ(reservation_status(charged_rsv), "CONFIRMED");
    EXPECT_EQ(payment_status(lost.payment_id), "FAILED");
    EXPECT_EQ(reservation_status(lost_rsv), "PAYMENT_FAILED");
    // The same pass compared the newly approved payment with the provider's record: in order.
    EXPECT_EQ(report.at("compared"), 1) << boost::json::serialize(report);
    EXPECT_EQ(report.at("mismatches"), 0);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM payment.logs WHERE operation = 'query'"), 3);
    // Nothing changed since: a second pass has nothing to ask.
    auto second = reconcile();
    EXPECT_EQ(second.at("compared"), 0) << boost::json::serialize(second);
    EXPECT_EQ(second.at("resolvedApproved"), 0);
    EXPECT_INVARIANTS();
}

TEST_F(PaymentFlow, AMismatchWithTheProvidersRecordIsRaised) {
    const auto p = prepared("usr_buyer", hold("usr_buyer", "sch_seats_10", {"seat_1"}));
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 200);
    // Someone refunded at the provider behind our back.
    pg_exec(
        "UPDATE stub_pay.charges SET balance = balance - 5000, status = "
        "'PARTIALLY_CANCELLED' WHERE order_id = '" +
        p.order_id + "'");
    auto report = reconcile();
    EXPECT_EQ(report.at("mismatches"), 1) << boost::json::serialize(report);
    auto problems = as("usr_admin", "GET", "/api/v1/admin/payments?problem=true", "", {}, "admin");
    ASSERT_EQ(problems.status, 200) << problems.body;
    auto items = json_of(problems).at("items").as_array();
    ASSERT_EQ(items.size(), 1u);
    EXPECT_EQ(items[0].at("problem"), "BALANCE_MISMATCH");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = "
                        "'payment.reconciliation_mismatch'"),
              1);
    auto metrics = http_request(port_, "GET", "/metrics");
    EXPECT_NE(metrics.body.find("admit_payment_reconciliation_mismatches_total 1"),
              std::string::npos);
}

TEST_F(PaymentFlow, RefundsFollowBuyerCancellationStaffRequestsAndProductCancellation) {
    // A buyer's cancellation after confirmation: refunds.lua decides (100 % this early).
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_2"});
    const auto p = prepared("usr_buyer", rsv);
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 200);
    auto cancelled = as("usr_buyer", "POST", "/api/v1/reservations/" + rsv + "/cancel");
    ASSERT_EQ(cancelled.status, 200) << cancelled.body;
    EXPECT_TRUE(eventually([&] { return payment_status(p.payment_id) == "REFUNDED"; }));
    EXPECT_EQ(
        pg_text("SELECT reason FROM payment.refunds WHERE payment_id = '" + p.payment_id + "'"),
        "BUYER_CANCELLED");
    EXPECT_FALSE(pg_text("SELECT policy_revision FROM payment.refunds WHERE payment_id = '" +
                         p.payment_id + "'")
                     .empty());

    // Staff refund part of another payment; more than the balance is refused.
    const auto q = prepared("usr_buyer", hold("usr_buyer", "sch_seats_10", {"seat_3"}));
    ASSERT_EQ(confirm("usr_buyer", q.payment_id).status, 200);
    auto customer = as("usr_buyer", "POST", "/api/v1/payments/" + q.payment_id + "/cancel",
                       R"({"amount": 1000, "reason": "goodwill"})");
    EXPECT_EQ(customer.status, 403);
    auto bad = as("usr_staff", "POST", "/api/v1/payments/" + q.payment_id + "/cancel",
                  R"({"amount": -5, "reason": "x"})", {}, "staff");
    EXPECT_EQ(bad.status, 400);
    auto too_much =
        as("usr_staff", "POST", "/api/v1/payments/" + q.payment_id + "/cancel",
           R"({"amount": )" + std::to_string(q.amount + 1) + R"(, "reason": "x"})", {}, "staff");
    EXPECT_EQ(too_much.status, 422) << too_much.body;
    auto partial = as("usr_staff", "POST", "/api/v1/payments/" + q.payment_id + "/cancel",
                      R"({"amount": 1000, "reason": "goodwill"})", {}, "staff");
    ASSERT_EQ(partial.status, 200) << partial.body;
    EXPECT_EQ(json_of(partial).at("status"), "PARTIALLY_REFUNDED");
    EXPECT_EQ(json_of(partial).at("refundedAmount").at("amount"), 1000);
    auto missing = as("usr_staff", "POST", "/api/v1/payments/pay_missing/cancel",
                      R"({"amount": 1000, "reason": "x"})", {}, "staff");
    EXPECT_EQ(missing.status, 404);

    // A product cancellation refunds every confirmed reservation in full (the partly refunded
    // one: its balance).
    auto cancel_product =
        as("usr_admin", "POST", "/api/v1/test/schedules/sch_seats_10/cancelled", "{}", {}, "admin");
    ASSERT_EQ(cancel_product.status, 204) << cancel_product.body;
    EXPECT_TRUE(eventually([&] { return payment_status(q.payment_id) == "REFUNDED"; }));
    EXPECT_EQ(pg_text("SELECT status_reason FROM reservation.reservations WHERE payment_id = '" +
                      q.payment_id + "'"),
              "PRODUCT_CANCELLED");
    EXPECT_EQ(
        pg_scalar("SELECT balance FROM stub_pay.charges WHERE order_id = '" + q.order_id + "'"), 0);
    EXPECT_INVARIANTS();
}

}  // namespace
}  // namespace admit::testing

namespace admit::testing {
namespace {

TEST_F(PaymentFlow, AProviderThatIsDownLeavesThePaymentReadyForARetry) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_9"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "UNAVAILABLE");
    auto down = confirm("usr_buyer", p.payment_id);
    EXPECT_EQ(down.status, 503) << down.body;
    EXPECT_EQ(code_of(down), "PROVIDER_UNAVAILABLE");
    EXPECT_EQ(down.headers["retry-after"], "1");  // set before the error body: kept
    EXPECT_EQ(payment_status(p.payment_id), "READY");
    script(p.order_id, "APPROVE");
    auto retried = confirm("usr_buyer", p.payment_id);
    ASSERT_EQ(retried.status, 200) << retried.body;
    EXPECT_EQ(json_of(retried).at("status"), "APPROVED");
    EXPECT_EQ(reservation_status(rsv), "CONFIRMED");
    auto violations = invariant_violations();
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

TEST_F(PaymentFlow, AWebhookDeclineSettlesAnUnknownPaymentAndReleasesTheSeats) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_10"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "UNKNOWN_NOT_CHARGED");
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 202);
    auto r = webhook({{"eventId", "evt_decline"},
                      {"eventType", "PAYMENT_STATUS_CHANGED"},
                      {"orderId", p.order_id},
                      {"status", "DECLINED"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(payment_status(p.payment_id), "FAILED");
    EXPECT_TRUE(eventually([&] { return reservation_status(rsv) == "PAYMENT_FAILED"; }));
    auto violations = invariant_violations();
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

TEST_F(PaymentFlow, ARefundWithoutAnAnswerIsRetriedAndARefusedOneIsRaised) {
    start_admitd(false, "refund_retry_ms = 0\n");  // reconciliation retries PENDING refunds at once
    const auto p = prepared("usr_buyer", hold("usr_buyer", "sch_seats_10", {"seat_4"}));
    ASSERT_EQ(confirm("usr_buyer", p.payment_id).status, 200);
    script(p.order_id, "APPROVE", "UNKNOWN");
    auto pending = as("usr_admin", "POST", "/api/v1/payments/" + p.payment_id + "/cancel",
                      R"({"amount": 2000, "reason": "goodwill"})", {}, "admin");
    ASSERT_EQ(pending.status, 200) << pending.body;
    EXPECT_EQ(json_of(pending).at("status"), "APPROVED");  // the refund is still PENDING
    EXPECT_EQ(
        pg_text("SELECT status FROM payment.refunds WHERE payment_id = '" + p.payment_id + "'"),
        "PENDING");
    // The provider answers again: the refund's job retry or reconciliation (whichever comes
    // first, with the same idempotency key) pays it back, once.
    script(p.order_id, "APPROVE", "CANCEL");
    reconcile();
    EXPECT_TRUE(eventually([&] { return payment_status(p.payment_id) == "PARTIALLY_REFUNDED"; }));
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM stub_pay.refunds"), 1);  // paid back once

    script(p.order_id, "APPROVE", "REFUSE");
    auto refused = as("usr_admin", "POST", "/api/v1/payments/" + p.payment_id + "/cancel",
                      R"({"amount": 1000, "reason": "again"})", {}, "admin");
    ASSERT_EQ(refused.status, 200) << refused.body;
    EXPECT_EQ(json_of(refused).at("problem"), "REFUND_REFUSED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM payment.refunds WHERE status = 'REFUSED'"), 1);
    auto violations = invariant_violations();
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

TEST_F(PaymentFlow, ConcurrentConfirmsAndWebhooksChargeOnceAndConfirmOnce) {
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_6"});
    const auto p = prepared("usr_buyer", rsv);
    constexpr int kCallers = 6;
    std::vector<HttpResult> results(kCallers);
    std::latch start(kCallers);
    std::vector<std::thread> threads;
    for (int i = 0; i < kCallers; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            if (i % 2 == 0) {
                results[i] = confirm("usr_buyer", p.payment_id, "pk_race");
            } else {
                // The provider's notification of the same approval, racing the confirms (each a
                // distinct delivery of one event id).
                results[i] = webhook({{"eventId", "evt_race"},
                                      {"eventType", "PAYMENT_STATUS_CHANGED"},
                                      {"orderId", p.order_id},
                                      {"paymentKey", "pk_race"},
                                      {"status", "APPROVED"},
                                      {"amount", p.amount}});
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (int i = 0; i < kCallers; ++i) {
        if (i % 2 == 0) {
            EXPECT_TRUE(results[i].status == 200 || results[i].status == 409) << results[i].body;
        } else {
            EXPECT_EQ(results[i].status, 200) << results[i].body;
        }
    }
    EXPECT_TRUE(eventually([&] { return reservation_status(rsv) == "CONFIRMED"; }));
    EXPECT_TRUE(eventually([&] { return payment_status(p.payment_id) == "APPROVED"; }));
    EXPECT_LE(pg_scalar("SELECT count(*) FROM stub_pay.charges"), 1);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM payment.refunds"), 0);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM payment.webhook_events"), 1);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'payment.approved'"),
              1);
}

}  // namespace
}  // namespace admit::testing

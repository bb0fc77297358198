// The Toss Payments v1 API of admit-pay-sim: confirm, cancel, queries, auth, validation.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "paysim_fixture.hpp"

namespace admit::paysim::testing {
namespace {

namespace json = boost::json;

std::string str(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string("<missing>");
}
int64_t num(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_int64() ? v->as_int64() : -1;
}

TEST(PaySimApi, ApproveThenConfirmChargesThePayment) {
    PaySim sim;
    auto key = sim.approve("order-approve-1", 15000);
    auto before = sim.api("GET", "/v1/payments/" + key);
    ASSERT_EQ(before.status, 200) << before.body;
    EXPECT_EQ(str(parse_object(before.body), "status"), "IN_PROGRESS");

    auto r = sim.confirm(key, "order-approve-1", 15000);
    ASSERT_EQ(r.status, 200) << r.body;
    auto p = parse_object(r.body);
    EXPECT_EQ(str(p, "status"), "DONE");
    EXPECT_EQ(str(p, "paymentKey"), key);
    EXPECT_EQ(str(p, "orderId"), "order-approve-1");
    EXPECT_EQ(num(p, "totalAmount"), 15000);
    EXPECT_EQ(num(p, "balanceAmount"), 15000);
    EXPECT_EQ(str(p, "currency"), "KRW");
    EXPECT_TRUE(p.at("approvedAt").is_string());

    auto entry = sim.ledger_entry("order-approve-1");
    EXPECT_EQ(num(entry, "charged"), 15000);
    EXPECT_EQ(num(entry, "refunded"), 0);
    EXPECT_EQ(str(entry, "status"), "DONE");
}

TEST(PaySimApi, WrongOrMissingSecretIs401WithTossErrorBody) {
    PaySim sim;
    auto key = sim.approve("order-auth-1", 1000);
    for (const auto& auth : {basic_auth("wrong_secret"), std::string("Bearer x"), std::string()}) {
        std::map<std::string, std::string> h;
        h["Authorization"] = auth;
        auto r = sim.confirm(key, "order-auth-1", 1000, h);
        EXPECT_EQ(r.status, 401) << auth;
        EXPECT_EQ(str(parse_object(r.body), "code"), "UNAUTHORIZED_KEY");
        EXPECT_NE(str(parse_object(r.body), "message"), "<missing>");
    }
    auto query = sim.api("GET", "/v1/payments/" + key, "", {{"Authorization", basic_auth("nope")}});
    EXPECT_EQ(query.status, 401);
    // Nothing was charged by the refused calls.
    EXPECT_EQ(num(sim.ledger_entry("order-auth-1"), "charged"), 0);
}

TEST(PaySimApi, AmountOtherThanApprovedIsRefused) {
    PaySim sim;
    auto key = sim.approve("order-amount-1", 15000);
    auto r = sim.confirm(key, "order-amount-1", 14000);
    EXPECT_EQ(r.status, 400);
    auto e = parse_object(r.body);
    EXPECT_EQ(str(e, "code"), "INVALID_REQUEST");
    EXPECT_NE(str(e, "message").find("amount"), std::string::npos) << r.body;
    EXPECT_EQ(num(sim.ledger_entry("order-amount-1"), "charged"), 0);
    // The right amount still works afterwards.
    EXPECT_EQ(sim.confirm(key, "order-amount-1", 15000).status, 200);
    // And so does a wrong orderId get refused.
    auto key2 = sim.approve("order-amount-2", 500);
    EXPECT_EQ(sim.confirm(key2, "order-amount-1", 500).status, 400);
}

TEST(PaySimApi, UnknownPaymentKeyIs404) {
    PaySim sim;
    auto r = sim.confirm("tsim_doesnotexist", "order-none-1", 1000);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(str(parse_object(r.body), "code"), "NOT_FOUND_PAYMENT");
}

TEST(PaySimApi, SecondConfirmAnswersAlreadyProcessedAndChargesOnce) {
    PaySim sim;
    auto key = sim.approve("order-idem-1", 20000);
    ASSERT_EQ(sim.confirm(key, "order-idem-1", 20000).status, 200);
    auto again = sim.confirm(key, "order-idem-1", 20000);
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(str(parse_object(again.body), "code"), "ALREADY_PROCESSED_PAYMENT");
    EXPECT_EQ(num(sim.ledger_entry("order-idem-1"), "charged"), 20000);
}

TEST(PaySimApi, ConfirmWithIdempotencyKeyReplaysTheFirstResponse) {
    PaySim sim;
    auto key = sim.approve("order-idem-2", 3000);
    auto first = sim.confirm(key, "order-idem-2", 3000, {{"Idempotency-Key", "idem-confirm-1"}});
    auto second = sim.confirm(key, "order-idem-2", 3000, {{"Idempotency-Key", "idem-confirm-1"}});
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(first.body, second.body);
    EXPECT_EQ(num(sim.stats(), "idempotentReplays"), 1);
    EXPECT_EQ(num(sim.ledger_entry("order-idem-2"), "charged"), 3000);
}

TEST(PaySimApi, PartialThenFullCancelAndNoOverRefund) {
    PaySim sim;
    auto key = sim.approve("order-cancel-1", 15000);
    ASSERT_EQ(sim.confirm(key, "order-cancel-1", 15000).status, 200);

    auto partial = sim.cancel(key, R"({"cancelReason":"one seat","cancelAmount":4000})");
    ASSERT_EQ(partial.status, 200) << partial.body;
    auto p = parse_object(partial.body);
    EXPECT_EQ(str(p, "status"), "PARTIAL_CANCELED");
    EXPECT_EQ(num(p, "balanceAmount"), 11000);
    ASSERT_EQ(p.at("cancels").as_array().size(), 1u);
    EXPECT_EQ(num(p.at("cancels").as_array()[0].as_object(), "cancelAmount"), 4000);

    auto over = sim.cancel(key, R"({"cancelReason":"too much","cancelAmount":11001})");
    EXPECT_EQ(over.status, 403);
    EXPECT_EQ(str(parse_object(over.body), "code"), "NOT_CANCELABLE_AMOUNT");

    auto full = sim.cancel(key, R"({"cancelReason":"the rest"})");
    ASSERT_EQ(full.status, 200) << full.body;
    EXPECT_EQ(str(parse_object(full.body), "status"), "CANCELED");
    EXPECT_EQ(num(parse_object(full.body), "balanceAmount"), 0);

    auto again = sim.cancel(key, R"({"cancelReason":"again","cancelAmount":1})");
    EXPECT_EQ(again.status, 400);
    EXPECT_EQ(str(parse_object(again.body), "code"), "ALREADY_CANCELED_PAYMENT");

    auto entry = sim.ledger_entry("order-cancel-1");
    EXPECT_EQ(num(entry, "charged"), 15000);
    EXPECT_EQ(num(entry, "refunded"), 15000);
}

TEST(PaySimApi, CancelWithIdempotencyKeyRefundsOnce) {
    PaySim sim;
    auto key = sim.approve("order-cancel-2", 10000);
    ASSERT_EQ(sim.confirm(key, "order-cancel-2", 10000).status, 200);
    std::map<std::string, std::string> h{{"Idempotency-Key", "refund-1"}};
    auto first = sim.cancel(key, R"({"cancelReason":"r","cancelAmount":2500})", h);
    auto second = sim.cancel(key, R"({"cancelReason":"r","cancelAmount":2500})", h);
    ASSERT_EQ(first.status, 200);
    EXPECT_EQ(first.body, second.body);
    EXPECT_EQ(num(sim.ledger_entry("order-cancel-2"), "refunded"), 2500);
}

TEST(PaySimApi, CancelBeforeConfirmIsNotCancelable) {
    PaySim sim;
    auto key = sim.approve("order-cancel-3", 10000);
    auto r = sim.cancel(key, R"({"cancelReason":"r"})");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(str(parse_object(r.body), "code"), "NOT_CANCELABLE_PAYMENT");
}

TEST(PaySimApi, QueryByOrderId) {
    PaySim sim;
    auto key = sim.approve("order-query-1", 7000);
    ASSERT_EQ(sim.confirm(key, "order-query-1", 7000).status, 200);
    auto r = sim.api("GET", "/v1/payments/orders/order-query-1");
    ASSERT_EQ(r.status, 200) << r.body;
    auto p = parse_object(r.body);
    EXPECT_EQ(str(p, "paymentKey"), key);
    EXPECT_EQ(str(p, "status"), "DONE");
    auto missing = sim.api("GET", "/v1/payments/orders/order-query-unknown");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(str(parse_object(missing.body), "code"), "NOT_FOUND_PAYMENT");
}

TEST(PaySimApi, MalformedJsonAndMissingFieldsAre400WithAClearMessage) {
    PaySim sim;
    struct Case {
        std::string body;
        std::string mentions;
    };
    std::vector<Case> cases{
        {"{bad", "malformed JSON"},
        {"[1,2]", "JSON object"},
        {"", "empty"},
        {R"({"orderId":"order-x-1","amount":1})", "paymentKey"},
        {R"({"paymentKey":"k","amount":1})", "orderId"},
        {R"({"paymentKey":"k","orderId":"order-x-1"})", "amount"},
        {R"({"paymentKey":"k","orderId":"order-x-1","amount":"1000"})", "amount"},
        {R"({"paymentKey":"k","orderId":"order-x-1","amount":-5})", "amount"},
        {R"({"paymentKey":"k","orderId":"bad id!","amount":5})", "orderId"},
        {R"({"paymentKey":7,"orderId":"order-x-1","amount":5})", "paymentKey"}};
    for (const auto& c : cases) {
        auto r = sim.api("POST", "/v1/payments/confirm", c.body);
        EXPECT_EQ(r.status, 400) << c.body;
        auto e = parse_object(r.body);
        EXPECT_EQ(str(e, "code"), "INVALID_REQUEST") << c.body;
        EXPECT_NE(str(e, "message").find(c.mentions), std::string::npos)
            << c.body << " -> " << r.body;
    }
    auto key = sim.approve("order-x-2", 1000);
    ASSERT_EQ(sim.confirm(key, "order-x-2", 1000).status, 200);
    auto no_reason = sim.cancel(key, R"({"cancelAmount":10})");
    EXPECT_EQ(no_reason.status, 400);
    EXPECT_NE(no_reason.body.find("cancelReason"), std::string::npos);
    auto bad_amount = sim.cancel(key, R"({"cancelReason":"x","cancelAmount":0})");
    EXPECT_EQ(bad_amount.status, 400);
    EXPECT_NE(bad_amount.body.find("cancelAmount"), std::string::npos);

    auto approve = sim.post("/sim/approve", R"({"amount":1000})");
    EXPECT_EQ(approve.status, 400);
    EXPECT_NE(approve.body.find("orderId is required"), std::string::npos);
    EXPECT_EQ(sim.post("/sim/approve", "{nope").status, 400);
    // Still serving after all that.
    EXPECT_EQ(sim.get("/healthz").status, 200);
}

TEST(PaySimApi, MalformedHttpAndOversizedBodiesAreAnsweredAndServingGoesOn) {
    PaySim sim;
    auto garbage = admit::testing::http_raw(sim.port(), "NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
    std::string big(70 * 1024, 'x');
    auto oversized = sim.api("POST", "/v1/payments/confirm", big);
    EXPECT_EQ(oversized.status, 413);
    auto wrong_method = sim.api("DELETE", "/v1/payments/confirm");
    EXPECT_EQ(wrong_method.status, 405);
    EXPECT_EQ(sim.api("GET", "/v1/nothing/here").status, 404);
    EXPECT_EQ(sim.get("/nothing").status, 404);
    EXPECT_EQ(sim.get("/healthz").status, 200);
}

// The invariants the fault campaign relies on, under concurrent callers: one charge per
// payment, and refunds never above the charge.
TEST(PaySimApi, ConcurrentConfirmsChargeOnceAndConcurrentCancelsNeverOverRefund) {
    PaySim sim;
    auto key = sim.approve("order-race-1", 10000);
    std::atomic<int> confirmed{0};
    std::atomic<int> refunds{0};
    {
        std::vector<std::thread> threads;
        for (int i = 0; i < 8; ++i) {
            threads.emplace_back([&] {
                if (sim.confirm(key, "order-race-1", 10000).status == 200) ++confirmed;
            });
        }
        for (auto& t : threads) t.join();
    }
    EXPECT_EQ(confirmed.load(), 1);
    {
        std::vector<std::thread> threads;
        for (int i = 0; i < 8; ++i) {
            threads.emplace_back([&] {
                for (int k = 0; k < 4; ++k) {
                    auto r = sim.cancel(key, R"({"cancelReason":"race","cancelAmount":700})");
                    if (r.status == 200) ++refunds;
                }
            });
        }
        for (auto& t : threads) t.join();
    }
    EXPECT_EQ(refunds.load(), 10000 / 700);  // 14 refunds fit, the other 18 are refused
    auto entry = sim.ledger_entry("order-race-1");
    EXPECT_EQ(num(entry, "charged"), 10000);
    EXPECT_EQ(num(entry, "refunded"), 14 * 700);
}

TEST(PaySimApi, ApproveTwiceForTheSameOrderReturnsTheSameKeyUntilPaid) {
    PaySim sim;
    auto k1 = sim.approve("order-dup-1", 1000);
    auto k2 = sim.approve("order-dup-1", 1000);
    EXPECT_EQ(k1, k2);
    ASSERT_EQ(sim.confirm(k1, "order-dup-1", 1000).status, 200);
    auto paid = sim.post("/sim/approve", R"({"orderId":"order-dup-1","amount":1000})");
    EXPECT_EQ(paid.status, 409);
    EXPECT_EQ(str(parse_object(paid.body), "code"), "DUPLICATED_ORDER_ID");
}

}  // namespace
}  // namespace admit::paysim::testing

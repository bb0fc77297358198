// A buyer's whole purchase with real parts only: one admitd with the real plugins (auth, arthall,
// product, reservation, payment, toss, ticket), real PostgreSQL and Redis, and the payment-service
// simulator admit-pay-sim as the provider. Hold -> prepare -> approve at the simulator's checkout
// -> confirm -> reservation CONFIRMED -> ticket ISSUED; then the buyer cancels and the refund
// reaches the simulator's ledger. Money is checked against the simulator's ledger, not against
// what admitd says about itself.
#include "tests/e2e/platform_fixture.hpp"

namespace admit::testing {
namespace {

class Purchase : public PlatformFixture {};

TEST_F(Purchase, ABuyerPaysAtTheSimulatorGetsATicketAndARefundOnCancellation) {
    auto admin = login("root@admit.test", "root-password-e2e");
    auto seller = account("seller@e2e.test", "seller");
    auto buyer = account("buyer@e2e.test", "customer");
    const auto schedule = schedule_on_sale(admin, seller);
    auto map = json_of(call("GET", "/schedules/" + schedule + "/seats"));
    const std::string seat(map.at("seats").at(0).at(0).as_string());

    auto held = hold_when_on_sale(buyer, schedule, seat, {{"Idempotency-Key", "buy-1"}});
    ASSERT_EQ(held.status, 201) << held.body;
    const std::string reservation(json_of(held).at("reservationId").as_string());
    const int64_t total = json_of(held).at("price").at("total").at("amount").as_int64();
    EXPECT_EQ(total, 100000);

    // The amount comes from the reservation; the client's is ignored.
    auto prepared = call("POST", "/payments/prepare", buyer,
                         R"({"reservationId":")" + reservation +
                             R"(","method":"CARD","amount":{"amount":1,"currency":"KRW"}})");
    ASSERT_EQ(prepared.status, 201) << prepared.body;
    auto payment = json_of(prepared).as_object();
    EXPECT_EQ(payment.at("amount").at("amount"), total);
    EXPECT_NE(std::string(payment.at("checkoutUrl").as_string())
                  .find("127.0.0.1:" + std::to_string(sim_.port())),
              std::string::npos);
    const std::string payment_id(payment.at("paymentId").as_string());
    const std::string order_id(payment.at("orderId").as_string());

    // The buyer approves at the simulator's checkout; admitd confirms with the amount it expects.
    const std::string payment_key = sim_.approve(order_id, total);
    auto confirmed =
        call("POST", "/payments/confirm", buyer,
             R"({"paymentId":")" + payment_id + R"(","paymentKey":")" + payment_key + "\"}");
    ASSERT_EQ(confirmed.status, 200) << confirmed.body << admitd_->log();
    EXPECT_EQ(json_of(confirmed).at("status"), "APPROVED");
    EXPECT_EQ(json_of(call("GET", "/reservations/" + reservation, buyer)).at("status"),
              "CONFIRMED");
    auto ledger = sim_.ledger_entry(order_id);
    EXPECT_EQ(ledger.at("charged"), total);

    // The ticket follows the confirmation (an event away).
    auto tickets = [&] {
        return json_of(call("GET", "/tickets", buyer)).at("items").as_array().size();
    };
    ASSERT_EQ(await(tickets, std::size_t{1}), 1u);
    auto ticket = json_of(call("GET", "/tickets", buyer)).at("items").at(0).as_object();
    EXPECT_EQ(ticket.at("status"), "ISSUED");
    const std::string ticket_id(ticket.at("ticketId").as_string());

    // The buyer cancels: the refund refunds.lua decides reaches the provider's ledger, and the
    // ticket is cancelled.
    auto cancelled = call("POST", "/reservations/" + reservation + "/cancel", buyer);
    ASSERT_EQ(cancelled.status, 200) << cancelled.body;
    const int64_t refund = json_of(cancelled).at("refund").at("amount").as_int64();
    EXPECT_GT(refund, 0);
    EXPECT_LE(refund, total);
    EXPECT_EQ(await([&] { return sim_.ledger_entry(order_id).at("refunded").as_int64(); }, refund),
              refund);
    EXPECT_EQ(
        await(
            [&] {
                return std::string(
                    json_of(call("GET", "/tickets/" + ticket_id, buyer)).at("status").as_string());
            },
            std::string("CANCELLED")),
        "CANCELLED");
    EXPECT_EQ(await(
                  [&] {
                      return std::string(json_of(call("GET", "/payments/" + payment_id, buyer))
                                             .at("status")
                                             .as_string());
                  },
                  std::string(refund == total ? "REFUNDED" : "PARTIALLY_REFUNDED")),
              refund == total ? "REFUNDED" : "PARTIALLY_REFUNDED");
}

TEST_F(Purchase, ADeclineAtTheSimulatorFailsThePaymentAndFreesTheSeat) {
    auto admin = login("root@admit.test", "root-password-e2e");
    auto seller = account("seller@e2e.test", "seller");
    auto buyer = account("buyer@e2e.test", "customer");
    const auto schedule = schedule_on_sale(admin, seller);
    auto map = json_of(call("GET", "/schedules/" + schedule + "/seats"));
    const std::string seat(map.at("seats").at(0).at(0).as_string());
    auto held = hold_when_on_sale(buyer, schedule, seat);
    ASSERT_EQ(held.status, 201) << held.body;
    const std::string reservation(json_of(held).at("reservationId").as_string());
    auto prepared = call("POST", "/payments/prepare", buyer,
                         R"({"reservationId":")" + reservation + R"(","method":"CARD"})");
    ASSERT_EQ(prepared.status, 201) << prepared.body;
    const std::string payment_id(json_of(prepared).at("paymentId").as_string());
    const std::string order_id(json_of(prepared).at("orderId").as_string());
    const int64_t total = json_of(prepared).at("amount").at("amount").as_int64();

    sim_.set_config(R"({"chaos": {"decline_rate": 1.0}})");
    const std::string payment_key = sim_.approve(order_id, total);
    auto confirmed =
        call("POST", "/payments/confirm", buyer,
             R"({"paymentId":")" + payment_id + R"(","paymentKey":")" + payment_key + "\"}");
    EXPECT_EQ(json_of(confirmed).at("status"), "FAILED") << confirmed.body;
    EXPECT_EQ(sim_.ledger_entry(order_id).at("charged"), 0);
    // The seat is free again: another buyer can hold it.
    auto other = account("other@e2e.test", "customer");
    auto again = hold_when_on_sale(other, schedule, seat);
    EXPECT_EQ(again.status, 201) << again.body;
}

}  // namespace
}  // namespace admit::testing

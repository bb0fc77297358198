// A buyer's whole purchase with real parts only: one admitd with the real plugins (auth, arthall,
// product, reservation, payment, toss, ticket), real PostgreSQL and Redis, and the payment-service
// simulator admit-pay-sim as the provider. Hold -> prepare -> approve at the simulator's checkout
// -> confirm -> reservation CONFIRMED -> ticket ISSUED; then the buyer cancels and the refund
// reaches the simulator's ledger. Money is checked against the simulator's ledger, not against
// what admitd says about itself.
#include "tests/e2e/platform_fixture.hpp"
#include "tests/support/e2e_helpers.hpp"

namespace admit::testing {
namespace {

class Purchase : public PlatformFixture {
  protected:
    struct Paid {
        std::string reservation, payment_id, order_id;
        int64_t total = 0;
    };

    // Holds `seat` for `buyer`, prepares the payment (sending a made-up amount, which must be
    // ignored: the amount comes from the reservation), approves it at the simulator's checkout
    // and confirms it. Empty ids after a failed step (the failure is reported).
    Paid buy(const std::string& buyer, const std::string& schedule, const std::string& seat) {
        auto held = hold_when_on_sale(buyer, schedule, seat, {{"Idempotency-Key", "buy-1"}});
        EXPECT_EQ(held.status, 201) << held.body;
        if (held.status != 201) return {};
        Paid paid;
        paid.reservation = std::string(json_of(held).at("reservationId").as_string());
        paid.total = json_of(held).at("price").at("total").at("amount").as_int64();
        auto prepared = call("POST", "/payments/prepare", buyer,
                             R"({"reservationId":")" + paid.reservation +
                                 R"(","method":"CARD","amount":{"amount":1,"currency":"KRW"}})");
        EXPECT_EQ(prepared.status, 201) << prepared.body;
        if (prepared.status != 201) return {};
        auto payment = json_of(prepared).as_object();
        EXPECT_EQ(payment.at("amount").at("amount"), paid.total);
        EXPECT_NE(std::string(payment.at("checkoutUrl").as_string())
                      .find("127.0.0.1:" + std::to_string(sim_.port())),
                  std::string::npos);
        paid.payment_id = std::string(payment.at("paymentId").as_string());
        paid.order_id = std::string(payment.at("orderId").as_string());
        // The buyer approves at the simulator's checkout; admitd confirms with the amount it
        // expects.
        const std::string key = sim_.approve(paid.order_id, paid.total);
        auto confirmed =
            call("POST", "/payments/confirm", buyer,
                 R"({"paymentId":")" + paid.payment_id + R"(","paymentKey":")" + key + R"("})");
        EXPECT_EQ(confirmed.status, 200) << confirmed.body << admitd_->log();
        EXPECT_EQ(json_of(confirmed).at("status"), "APPROVED");
        return confirmed.status == 200 ? paid : Paid{};
    }

    // The buyer's first ticket, once issued (an event after the confirmation).
    boost::json::object first_ticket(const std::string& buyer) {
        auto count = [&] {
            return json_of(call("GET", "/tickets", buyer)).at("items").as_array().size();
        };
        EXPECT_EQ(await(count, std::size_t{1}), 1u);
        return json_of(call("GET", "/tickets", buyer)).at("items").at(0).as_object();
    }

    // A gate scan of `code` by `staff`.
    HttpResult check_in(const std::string& staff, const std::string& code) {
        return call("POST", "/checkin", staff, R"({"code":")" + code + R"("})");
    }
};

TEST_F(Purchase, ABuyerPaysAtTheSimulatorGetsATicketAndARefundOnCancellation) {
    auto admin = login("root@admit.test", "root-password-e2e");
    auto seller = account("seller@e2e.test", "seller");
    auto buyer = account("buyer@e2e.test", "customer");
    const auto schedule = schedule_on_sale(admin, seller);
    auto map = json_of(call("GET", "/schedules/" + schedule + "/seats"));
    const std::string seat(map.at("seats").at(0).at(0).as_string());

    const auto paid = buy(buyer, schedule, seat);
    ASSERT_FALSE(paid.reservation.empty());
    const std::string& reservation = paid.reservation;
    const std::string& payment_id = paid.payment_id;
    const std::string& order_id = paid.order_id;
    const int64_t total = paid.total;
    EXPECT_EQ(total, 100000);
    EXPECT_EQ(json_of(call("GET", "/reservations/" + reservation, buyer)).at("status"),
              "CONFIRMED");
    auto ledger = sim_.ledger_entry(order_id);
    EXPECT_EQ(ledger.at("charged"), total);

    // The ticket follows the confirmation (an event away).
    const auto ticket = first_ticket(buyer);
    EXPECT_EQ(ticket.at("status"), "ISSUED");
    const std::string ticket_id(ticket.at("ticketId").as_string());

    // The buyer cancels: the refund refunds.lua decides reaches the provider's ledger, and the
    // ticket is cancelled before the cancel answers (the ticket plugin voids it first), so its
    // code no longer gets in.
    auto cancelled = call("POST", "/reservations/" + reservation + "/cancel", buyer);
    ASSERT_EQ(cancelled.status, 200) << cancelled.body;
    EXPECT_EQ(json_of(call("GET", "/tickets/" + ticket_id, buyer)).at("status"), "CANCELLED");
    auto late_scan = check_in(admin, std::string(ticket.at("code").as_string()));
    EXPECT_EQ(late_scan.status, 422) << late_scan.body;
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

// The chaos campaign's seed 1015 found a refund after check-in: the buyer cancelled after the
// gate had admitted the ticket. An admitted ticket is never refunded: the cancel is refused with
// TICKET_USED and nothing changes, checked in PostgreSQL.
TEST_F(Purchase, AnAdmittedTicketIsNeverRefunded) {
    auto admin = login("root@admit.test", "root-password-e2e");
    auto seller = account("seller@e2e.test", "seller");
    auto buyer = account("buyer@e2e.test", "customer");
    const auto schedule = schedule_on_sale(admin, seller);
    auto map = json_of(call("GET", "/schedules/" + schedule + "/seats"));
    const std::string seat(map.at("seats").at(0).at(0).as_string());
    const auto paid = buy(buyer, schedule, seat);
    ASSERT_FALSE(paid.reservation.empty());
    const auto ticket = first_ticket(buyer);

    // The doors open three hours before the show (two days after the sale opened): an hour
    // before it, the gate admits the ticket.
    const auto advance = std::to_string(2 * 86'400 - 3'600 - 61);
    ASSERT_EQ(call("POST", "/admin/clock", admin, R"({"advanceSeconds":)" + advance + "}").status,
              200);
    // Two days on, the access tokens have expired: both log in again.
    admin = login("root@admit.test", "root-password-e2e");
    buyer = login("buyer@e2e.test", "long-enough-pw");
    auto scan = check_in(admin, std::string(ticket.at("code").as_string()));
    ASSERT_EQ(scan.status, 200) << scan.body;

    auto cancel = call("POST", "/reservations/" + paid.reservation + "/cancel", buyer);
    EXPECT_EQ(cancel.status, 409) << cancel.body;
    EXPECT_EQ(json_of(cancel).at("code"), "TICKET_USED") << cancel.body;
    EXPECT_NE(cancel.body.find(std::string(ticket.at("ticketId").as_string())), std::string::npos);
    const auto& pg = storage_.pg_url();
    EXPECT_EQ(pg_scalar(pg, "SELECT count(*) FROM reservation.reservations WHERE id = '" +
                                paid.reservation + "' AND status = 'CONFIRMED' AND refund IS NULL"),
              1);
    EXPECT_EQ(pg_scalar(pg,
                        "SELECT count(*) FROM admit.event_outbox WHERE topic = "
                        "'reservation.cancelled' AND payload::jsonb->>'reservationId' = '" +
                            paid.reservation + "'"),
              0);
    EXPECT_EQ(pg_scalar(pg, "SELECT count(*) FROM ticket.tickets WHERE reservation_id = '" +
                                paid.reservation + "' AND status = 'USED'"),
              1);
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

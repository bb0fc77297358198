// A crash between the provider's answer and our commit: stub_pay commits the charge and then
// SIGKILLs admitd (its CRASH_AFTER_CHARGE mode), so the payment is left IN_PROGRESS with money
// taken. After a restart, reconciliation must find the charge and finish the order: one charge,
// payment APPROVED, reservation CONFIRMED; never lost, never charged twice.
#include "payment_e2e_fixture.hpp"

#include <csignal>

namespace admit::testing {
namespace {

class PaymentCrash : public PaymentEndToEnd {
  protected:
    // Before the crash the default 60 s grace for IN_PROGRESS payments applies (reconciliation
    // must never fail a confirmation still in flight); after the restart the grace is 0 so the
    // test need not wait a minute. `interval` is the reconciliation job's (the job schedule
    // survives restarts, so both processes use the same one).
    void SetUp() override {}
    void start(const std::string& interval) {
        interval_ = interval;
        start_admitd(false, "reconcile_interval_ms = " + interval_ + "\n");
    }
    void restart() {
        start_admitd(false,
                     "reconcile_interval_ms = " + interval_ + "\nin_progress_timeout_ms = 0\n");
    }
    std::string interval_;
};

TEST_F(PaymentCrash, AnOrderChargedBeforeAKillNineIsRecoveredByReconciliation) {
    start("3600000");  // reconciliation only when the test asks
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_1"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "CRASH_AFTER_CHARGE");

    auto lost = confirm("usr_buyer", p.payment_id);
    EXPECT_EQ(lost.status, 0) << "admitd answered instead of dying: " << lost.body;
    auto exit = admitd_->wait_exit(std::chrono::seconds(10));
    ASSERT_TRUE(exit.has_value());
    EXPECT_EQ(*exit, 128 + SIGKILL);
    // The provider charged; we committed nothing after IN_PROGRESS.
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM stub_pay.charges WHERE status = 'APPROVED'"), 1);
    EXPECT_EQ(payment_status(p.payment_id), "IN_PROGRESS");
    EXPECT_EQ(reservation_status(rsv), "PENDING_PAYMENT");

    restart();
    // The buyer retries: still in progress, nothing is charged again.
    auto retry = confirm("usr_buyer", p.payment_id);
    EXPECT_EQ(retry.status, 409) << retry.body;
    EXPECT_EQ(code_of(retry), "PAYMENT_IN_PROGRESS");

    auto report = reconcile();
    EXPECT_EQ(report.at("resolvedApproved"), 1) << boost::json::serialize(report);
    EXPECT_EQ(payment_status(p.payment_id), "APPROVED");
    EXPECT_EQ(reservation_status(rsv), "CONFIRMED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM stub_pay.charges"), 1);
    EXPECT_EQ(pg_scalar("SELECT amount FROM stub_pay.charges"), p.amount);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM stub_pay.refunds"), 0);
    auto after = confirm("usr_buyer", p.payment_id);
    ASSERT_EQ(after.status, 200) << after.body;
    EXPECT_EQ(json_of(after).at("status"), "APPROVED");
    auto violations = invariant_violations();
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

TEST_F(PaymentCrash, TheReconciliationJobRunsOnItsOwnAfterARestart) {
    start("200");
    const auto rsv = hold("usr_buyer", "sch_seats_10", {"seat_2"});
    const auto p = prepared("usr_buyer", rsv);
    script(p.order_id, "CRASH_AFTER_CHARGE");
    EXPECT_EQ(confirm("usr_buyer", p.payment_id).status, 0);
    ASSERT_TRUE(admitd_->wait_exit(std::chrono::seconds(10)).has_value());
    restart();  // nobody calls the admin route: the job finds the order
    EXPECT_TRUE(eventually([&] { return reservation_status(rsv) == "CONFIRMED"; }));
    EXPECT_EQ(payment_status(p.payment_id), "APPROVED");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM stub_pay.charges"), 1);
    auto violations = invariant_violations();
    EXPECT_TRUE(violations.empty()) << ::testing::PrintToString(violations);
}

}  // namespace
}  // namespace admit::testing

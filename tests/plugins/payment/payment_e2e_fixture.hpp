// A real admitd with test_auth, stub_product ("product"), reservation, payment and stub_pay on
// isolated storage, plus helpers to act as buyers, script the stub provider, send signed
// webhooks, and check the money invariants from PostgreSQL and stub_pay's ledger.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {

/// A prepared payment.
struct Prepared {
    std::string payment_id;
    std::string order_id;
    int64_t amount = 0;
};

class PaymentEndToEnd : public ::testing::Test {
  protected:
    /// Starts (or restarts, on the same storage) admitd. `payment_toml`: extra lines of
    /// [plugin.payment] (provider = "stub_pay" and a one-hour reconcile interval are set).
    void start_admitd(bool manual_clock = false, const std::string& payment_toml = "");
    void SetUp() override { start_admitd(false); }
    /// On failure, prints the end of admitd's log (the reason is usually there).
    void TearDown() override;

    static std::string bearer(const std::string& user, const std::string& role = "customer") {
        return "Bearer test:" + role + ":" + user;
    }
    HttpResult as(const std::string& user, const std::string& method, const std::string& target,
                  const std::string& body = "", std::map<std::string, std::string> headers = {},
                  const std::string& role = "customer");
    /// Holds seats (201 expected) and returns the reservation id.
    std::string hold(const std::string& user, const std::string& schedule,
                     const std::vector<std::string>& seats);
    HttpResult prepare(const std::string& user, const std::string& reservation_id,
                       const std::string& extra_fields = "");
    /// prepare, expecting 201.
    Prepared prepared(const std::string& user, const std::string& reservation_id);
    HttpResult confirm(const std::string& user, const std::string& payment_id,
                       const std::string& key = "pk_test", const std::string& extra_fields = "");
    /// Scripts stub_pay for one order (modes: see tests/plugins/payment/stub_pay/migrations).
    void script(const std::string& order_id, const std::string& confirm_mode,
                const std::string& cancel_mode = "CANCEL");
    /// Posts a webhook signed with stub_pay's secret and timestamp `unix_seconds` (0: now).
    HttpResult webhook(const boost::json::object& event, int64_t unix_seconds = 0,
                       const std::string& secret = "whsec_stub_test");
    /// POST /api/v1/admin/payments/reconcile; returns the report.
    boost::json::object reconcile();
    void advance_clock(int seconds);

    int64_t pg_scalar(const std::string& sql);
    std::string pg_text(const std::string& sql);
    void pg_exec(const std::string& sql);
    std::string payment_status(const std::string& payment_id);
    std::string reservation_status(const std::string& reservation_id);
    /// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
    static bool eventually(const std::function<bool()>& condition,
                           std::chrono::milliseconds timeout = std::chrono::seconds(15));

    /// The money invariants; an empty result means they all hold, otherwise one line per
    /// violation: every charged payment has its reservation confirmed (or cancelled after) with it
    /// or a full refund; no reservation is CONFIRMED without a charged payment; per order, the
    /// stub's charge and balance equal our approved and approved - refunded amounts; in total,
    /// charged - refunded at the stub equals ours.
    std::vector<std::string> invariant_violations();

    static std::string code_of(const HttpResult& result);
    static boost::json::object json_of(const HttpResult& result);

    IsolatedStorage storage_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

}  // namespace admit::testing

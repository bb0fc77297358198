// End to end: the real admit-pay-sim, a real admitd loading the toss adapter (and toss_probe, a
// test-only plugin that calls toss.* for the test, standing in for the payment plugin), talking
// through the host's outbound HTTP. Approve at the simulator, then confirm / decline / timeout ->
// query / partial and full cancel / webhooks signed by the simulator.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>

#include "tests/plugins/toss/paysim_fixture.hpp"
#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::toss {
namespace {

namespace json = boost::json;
using admit::paysim::testing::kSecret;
using admit::paysim::testing::kWebhookSecret;
using admit::paysim::testing::PaySim;
using admit::paysim::testing::WebhookReceiver;

const std::map<std::string, std::string> kAdmin{{"Authorization", "Bearer test:admin:ops1"},
                                                {"Content-Type", "application/json"}};

// admitd with toss pointed at `base_url`.
class Admitd {
  public:
    explicit Admitd(const std::string& base_url, const std::string& toss_extra = "") {
        testing::TestVenue venue;
        venue.plugins = {"test_auth", "toss", "toss_probe"};
        venue.plugin_dir = TOSS_PROBE_PLUGIN_DIR;
        venue.extra_toml = "[plugin.toss]\nbase_url = \"" + base_url +
                           "\"\nread_timeout_ms = 1500\n" + toss_extra +
                           "[outbound]\nretry_backoff_ms = 10\n";
        file_ = testing::write_temp_file("venue.toml", testing::venue_toml(venue, nullptr));
        process_ = std::make_unique<testing::AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file_.string()},
            std::vector<std::string>{std::string("ADMIT_TOSS_SECRET_KEY=") + kSecret,
                                     std::string("ADMIT_TOSS_WEBHOOK_SECRET=") + kWebhookSecret});
        auto port = process_->wait_until_serving();
        if (!port) throw std::runtime_error("admitd did not start:\n" + process_->log());
        port_ = *port;
    }

    // toss.<method>(input) through toss_probe: {status, body object}.
    std::pair<int, json::object> call(const std::string& method, const json::object& input) {
        auto r = testing::http_request(port_, "POST", "/api/v1/test/toss/" + method,
                                       json::serialize(input), kAdmin);
        json::object body;
        boost::system::error_code ec;
        auto parsed = json::parse(r.body, ec);
        if (!ec && parsed.is_object()) body = parsed.as_object();
        return {r.status, body};
    }
    json::object result(const std::string& method, const json::object& input) {
        auto [status, body] = call(method, input);
        EXPECT_EQ(status, 200) << json::serialize(body) << "\n" << process_->log();
        return body.contains("result") ? body.at("result").as_object() : json::object{};
    }
    std::string metrics() { return testing::http_request(port_, "GET", "/metrics").body; }
    testing::AdmitdProcess& process() { return *process_; }

  private:
    std::filesystem::path file_;
    std::unique_ptr<testing::AdmitdProcess> process_;
    uint16_t port_ = 0;
};

json::object confirm_input(const std::string& order, const std::string& key, int64_t amount) {
    return json::object{{"orderId", order},
                        {"paymentKey", key},
                        {"amount", json::object{{"amount", amount}, {"currency", "KRW"}}},
                        {"idempotencyKey", "confirm-" + order}};
}

json::object cancel_input(const std::string& order, const std::string& key, int64_t amount,
                          const std::string& idempotency) {
    return json::object{{"orderId", order},
                        {"paymentKey", key},
                        {"cancelAmount", amount},
                        {"reason", "buyer cancelled"},
                        {"idempotencyKey", idempotency}};
}

TEST(TossE2e, ApproveConfirmDeclineTimeoutQueryAndCancelAgainstTheSimulator) {
    PaySim sim;
    const std::string base = "http://127.0.0.1:" + std::to_string(sim.port());
    Admitd admitd(base, "max_attempts = 1\n");

    // Approved at the checkout, then confirmed: APPROVED with the amount.
    const std::string key = sim.approve("order-e2e-001", 15000);
    auto approved = admitd.result("confirm", confirm_input("order-e2e-001", key, 15000));
    EXPECT_EQ(approved.at("outcome"), "APPROVED") << json::serialize(approved);
    EXPECT_EQ(approved.at("approvedAmount").at("amount"), 15000);
    EXPECT_EQ(approved.at("exchange").at("status"), 200);
    EXPECT_EQ(approved.at("exchange").at("requestHeaders").at("authorization"), "Basic [REDACTED]");
    EXPECT_EQ(json::serialize(approved).find(kSecret), std::string::npos);
    EXPECT_EQ(sim.ledger_entry("order-e2e-001").at("status"), "DONE");

    // The decline knob: DECLINED, and the simulator did not charge.
    sim.set_config(R"({"chaos":{"decline_rate":1.0}})");
    const std::string declined_key = sim.approve("order-e2e-002", 8000);
    auto declined = admitd.result("confirm", confirm_input("order-e2e-002", declined_key, 8000));
    EXPECT_EQ(declined.at("outcome"), "DECLINED") << json::serialize(declined);
    EXPECT_EQ(declined.at("failure").at("code"), "REJECT_CARD_PAYMENT");
    EXPECT_EQ(sim.ledger_entry("order-e2e-002").at("charged"), 0);
    sim.set_config(R"({"chaos":{"decline_rate":0.0}})");

    // The timeout knob: the simulator charges and never answers -> UNKNOWN, then query finds it.
    sim.set_config(R"({"chaos":{"timeout_rate":1.0}})");
    const std::string lost_key = sim.approve("order-e2e-003", 12000);
    auto unknown = admitd.result("confirm", confirm_input("order-e2e-003", lost_key, 12000));
    EXPECT_EQ(unknown.at("outcome"), "UNKNOWN") << json::serialize(unknown);
    EXPECT_TRUE(unknown.at("exchange").at("status").is_null());
    sim.set_config(R"({"chaos":{"timeout_rate":0.0}})");
    auto found = admitd.result("query", json::object{{"orderId", "order-e2e-003"}});
    EXPECT_EQ(found.at("outcome"), "FOUND") << json::serialize(found);
    EXPECT_EQ(found.at("status"), "APPROVED");
    EXPECT_EQ(found.at("paymentKey"), json::value(lost_key));
    EXPECT_EQ(found.at("totalAmount").at("amount"), 12000);
    auto missing = admitd.result("query", json::object{{"orderId", "order-e2e-none"}});
    EXPECT_EQ(missing.at("outcome"), "NOT_FOUND") << json::serialize(missing);

    // Cancel part, then the rest; a third cancel is refused.
    auto partial =
        admitd.result("cancel", cancel_input("order-e2e-001", key, 5000, "refund-e2e-1"));
    EXPECT_EQ(partial.at("outcome"), "CANCELLED") << json::serialize(partial);
    EXPECT_EQ(partial.at("cancelledAmount").at("amount"), 5000);
    EXPECT_EQ(partial.at("balanceAmount").at("amount"), 10000);
    auto too_much =
        admitd.result("cancel", cancel_input("order-e2e-001", key, 20000, "refund-e2e-x"));
    EXPECT_EQ(too_much.at("outcome"), "REFUSED") << json::serialize(too_much);
    EXPECT_EQ(too_much.at("failure").at("code"), "NOT_CANCELABLE_AMOUNT");
    auto full = admitd.result("cancel", cancel_input("order-e2e-001", key, 10000, "refund-e2e-2"));
    EXPECT_EQ(full.at("outcome"), "CANCELLED") << json::serialize(full);
    EXPECT_EQ(full.at("balanceAmount").at("amount"), 0);
    // "Already cancelled" may be our own earlier cancel: not proven refused, so UNKNOWN (query).
    auto again = admitd.result("cancel", cancel_input("order-e2e-001", key, 1, "refund-e2e-3"));
    EXPECT_EQ(again.at("outcome"), "UNKNOWN") << json::serialize(again);
    EXPECT_EQ(again.at("failure").at("code"), "ALREADY_CANCELED_PAYMENT");
    EXPECT_EQ(admitd.result("query", json::object{{"orderId", "order-e2e-001"}}).at("status"),
              "CANCELLED");
    const auto entry = sim.ledger_entry("order-e2e-001");
    EXPECT_EQ(entry.at("charged"), 15000);
    EXPECT_EQ(entry.at("refunded"), 15000);

    // The host's outbound metrics saw the simulator as one upstream.
    const std::string metrics = admitd.metrics();
    EXPECT_NE(metrics.find("admit_outbound_requests_total{upstream=\"" + base +
                           "\",outcome=\"no_answer\"} 1"),
              std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find("admit_toss_calls_total{method=\"confirm\",outcome=\"APPROVED\"} 1"),
              std::string::npos);
}

TEST(TossE2e, AWebhookSignedByTheSimulatorVerifiesAndATamperedOneDoesNot) {
    WebhookReceiver receiver;
    PaySim sim("[webhooks]\nurl = \"" + receiver.url() + "\"\n");
    Admitd admitd("http://127.0.0.1:" + std::to_string(sim.port()));
    const std::string key = sim.approve("order-e2e-hook", 20000);
    ASSERT_EQ(sim.confirm(key, "order-e2e-hook", 20000).status, 200);
    ASSERT_TRUE(receiver.wait_for(1));
    const auto delivery = receiver.deliveries().front();
    json::object headers;
    for (const auto& [name, value] : delivery.headers) headers[name] = value;

    auto valid = admitd.result("verify_webhook",
                               json::object{{"headers", headers}, {"body", delivery.body}});
    EXPECT_EQ(valid.at("valid"), true) << json::serialize(valid);
    EXPECT_EQ(valid.at("eventId"), json::value(delivery.headers.at("admit-sim-event-id")));
    EXPECT_EQ(valid.at("orderId"), "order-e2e-hook");
    EXPECT_EQ(valid.at("paymentKey"), json::value(key));
    EXPECT_EQ(valid.at("status"), "APPROVED");
    EXPECT_EQ(valid.at("amount").at("amount"), 20000);

    std::string tampered = delivery.body;
    tampered.replace(tampered.find("20000"), 5, "10000");
    auto refused =
        admitd.result("verify_webhook", json::object{{"headers", headers}, {"body", tampered}});
    EXPECT_EQ(refused.at("valid"), false);
    EXPECT_EQ(refused.at("reason"), "signature");
}

TEST(TossE2e, AProviderThatCannotBeReachedIsUnavailableNotDeclined) {
    // Nothing listens on this port: the request never leaves, so the service fails closed.
    Admitd admitd("http://127.0.0.1:9", "max_attempts = 1\n");
    auto [status, body] = admitd.call("confirm", confirm_input("order-e2e-down", "tsim_x", 1000));
    EXPECT_EQ(status, 503) << json::serialize(body) << "\n" << admitd.process().log();
    EXPECT_EQ(body.at("status"), "UNAVAILABLE");
}

TEST(TossE2e, AdmitdRefusesToStartTossWithoutItsSecrets) {
    testing::TestVenue venue;
    venue.plugins = {"toss"};
    venue.plugin_dir = TOSS_PROBE_PLUGIN_DIR;
    venue.extra_toml = "[plugin.toss]\nbase_url = \"http://127.0.0.1:9\"\n";
    auto file = testing::write_temp_file("venue.toml", testing::venue_toml(venue, nullptr));
    testing::AdmitdProcess admitd(ADMIT_ADMITD_BINARY, {"--config", file.string()});
    EXPECT_FALSE(admitd.wait_until_serving().has_value());
    EXPECT_NE(admitd.log().find("ADMIT_TOSS_SECRET_KEY"), std::string::npos) << admitd.log();
}

}  // namespace
}  // namespace admit::toss

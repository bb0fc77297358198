// The toss adapter under FakeHost with scripted upstream answers: the request it sends, the
// DECLINED-vs-UNKNOWN mapping, redaction of secrets from `exchange`, webhook verification, input
// validation, refusal without secrets or on an ABI 1.0 host.
#include <gtest/gtest.h>

#include <admit/sdk.hpp>
#include <admit/testing/fake_host.hpp>
#include <cstdlib>

#include "toss_crypto.hpp"

ADMIT_DECLARE_PLUGIN(toss);
ADMIT_DECLARE_PLUGIN(abi10_probe);
namespace abi10_probe {
extern admit_status last_http_status;
}

namespace admit::toss {
namespace {

using boost::json::object;
using boost::json::value;
using testing::FakeHost;
using testing::HttpAnswer;
using testing::HttpCall;

constexpr const char* kSecret = "test_sk_unit_5e3c";
constexpr const char* kWebhookSecret = "whsec_unit_9f1a";
constexpr const char* kBase = "http://toss.test:8080";

object payment(std::string status, int64_t total, int64_t balance,
               std::string order = "order-000001") {
    return object{{"paymentKey", "tsim_key1"},
                  {"orderId", order},
                  {"status", status},
                  {"totalAmount", total},
                  {"balanceAmount", balance},
                  {"method", "카드"},
                  {"approvedAt", "2026-12-06T09:10:11+09:00"},
                  {"cancels", nullptr}};
}

HttpAnswer json_answer(int status, const object& body) {
    return HttpAnswer{status, {{"Content-Type", "application/json"}}, boost::json::serialize(body)};
}

HttpAnswer error_answer(int status, const std::string& code) {
    return json_answer(status, object{{"code", code}, {"message", "scripted " + code}});
}

class TossUnit : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("ADMIT_TOSS_SECRET_KEY", kSecret, 1);
        ::setenv("ADMIT_TOSS_WEBHOOK_SECRET", kWebhookSecret, 1);
        fake.set_config("toss", object{{"base_url", kBase}, {"webhook_tolerance_seconds", 300}});
    }
    void TearDown() override {
        ::unsetenv("ADMIT_TOSS_SECRET_KEY");
        ::unsetenv("ADMIT_TOSS_WEBHOOK_SECRET");
    }
    void load() { ASSERT_TRUE(fake.load(admit_plugin_descriptor_toss()).ok()); }
    void answer_with(std::function<sdk::Result<HttpAnswer>(const HttpCall&)> fn) {
        fake.set_http(std::move(fn));
    }
    object confirm_input(std::string order = "order-000001") {
        return object{{"orderId", order},
                      {"paymentKey", "tsim_key1"},
                      {"amount", object{{"amount", 15000}, {"currency", "KRW"}}},
                      {"idempotencyKey", "confirm-pay_1"}};
    }
    object confirm(object input) {
        auto out = fake.call("toss.confirm", input);
        EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
        return out.ok() ? out->as_object() : object{};
    }
    FakeHost fake;
};

TEST_F(TossUnit, ConfirmSendsTheTossRequestAndReadsAnApproval) {
    load();
    answer_with([](const HttpCall&) { return json_answer(200, payment("DONE", 15000, 15000)); });
    const object out = confirm(confirm_input());
    EXPECT_EQ(out.at("outcome"), "APPROVED");
    EXPECT_EQ(out.at("approvedAmount"), (object{{"amount", 15000}, {"currency", "KRW"}}));
    EXPECT_EQ(out.at("approvedAt"), "2026-12-06T00:10:11Z");
    EXPECT_EQ(out.at("paymentKey"), "tsim_key1");

    ASSERT_EQ(fake.http_calls().size(), 1u);
    const HttpCall& call = fake.http_calls()[0];
    EXPECT_EQ(call.method, "POST");
    EXPECT_EQ(call.url, std::string(kBase) + "/v1/payments/confirm");
    EXPECT_EQ(call.header("authorization"), "Basic " + base64_encode(std::string(kSecret) + ":"));
    EXPECT_EQ(call.header("idempotency-key"), "confirm-pay_1");
    EXPECT_EQ(
        boost::json::parse(call.body),
        (object{{"paymentKey", "tsim_key1"}, {"orderId", "order-000001"}, {"amount", 15000}}));
}

struct MappingCase {
    int status;
    std::string code;
    std::string outcome;
};

TEST_F(TossUnit, ConfirmErrorsAreDeclinedOnlyWhenNothingWasCharged) {
    load();
    const std::vector<MappingCase> table{
        {403, "REJECT_CARD_PAYMENT", "DECLINED"},
        {403, "REJECT_CARD_COMPANY", "DECLINED"},
        {400, "INVALID_REQUEST", "DECLINED"},
        {404, "NOT_FOUND_PAYMENT", "DECLINED"},
        {404, "NOT_FOUND_PAYMENT_SESSION", "DECLINED"},
        {400, "PAY_PROCESS_CANCELED", "DECLINED"},
        {400, "EXCEED_MAX_PAYMENT_AMOUNT", "DECLINED"},
        {401, "UNAUTHORIZED_KEY", "DECLINED"},
        {400, "ALREADY_PROCESSED_PAYMENT", "UNKNOWN"},  // maybe our own earlier confirm charged
        {409, "IDEMPOTENT_REQUEST_PROCESSING", "UNKNOWN"},
        {409, "DUPLICATED_ORDER_ID", "UNKNOWN"},
        {429, "TOO_MANY_REQUESTS", "UNKNOWN"},
        {500, "FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING", "UNKNOWN"},
        {500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "UNKNOWN"},
        {502, "PROVIDER_ERROR", "UNKNOWN"},
        {400, "A_CODE_NOBODY_KNOWS", "UNKNOWN"},
        {403, "REJECT_CARD_PAYMENT_BUT_5XX", "UNKNOWN"},
    };
    for (const auto& row : table) {
        answer_with([&](const HttpCall&) { return error_answer(row.status, row.code); });
        const object out = confirm(confirm_input());
        EXPECT_EQ(out.at("outcome"), value(row.outcome)) << row.status << " " << row.code;
        EXPECT_EQ(out.at("failure").at("code"), value(row.code));
    }
    // 2xx that does not show a DONE payment of this order is not proven either way.
    answer_with([](const HttpCall&) { return json_answer(200, payment("IN_PROGRESS", 15000, 0)); });
    EXPECT_EQ(confirm(confirm_input()).at("outcome"), "UNKNOWN");
    answer_with([](const HttpCall&) {
        return json_answer(200, payment("DONE", 15000, 15000, "order-other1"));
    });
    EXPECT_EQ(confirm(confirm_input()).at("outcome"), "UNKNOWN");
    answer_with([](const HttpCall&) { return HttpAnswer{200, {}, "<html>gateway</html>"}; });
    EXPECT_EQ(confirm(confirm_input()).at("outcome"), "UNKNOWN");
    // A 5xx without a Toss body still has a code for the payment log.
    answer_with([](const HttpCall&) { return HttpAnswer{503, {}, "busy"}; });
    const object busy = confirm(confirm_input());
    EXPECT_EQ(busy.at("outcome"), "UNKNOWN");
    EXPECT_EQ(busy.at("failure").at("code"), "HTTP_503");
}

TEST_F(TossUnit, NoAnswerIsUnknownAndNotSentIsUnavailable) {
    load();
    answer_with([](const HttpCall&) -> sdk::Result<HttpAnswer> {
        return sdk::Error{ADMIT_E_TIMEOUT, "no answer: read timed out"};
    });
    const object out = confirm(confirm_input());
    EXPECT_EQ(out.at("outcome"), "UNKNOWN");
    EXPECT_TRUE(out.at("exchange").at("status").is_null());
    EXPECT_EQ(out.at("exchange").at("error"), "no answer: read timed out");

    answer_with([](const HttpCall&) -> sdk::Result<HttpAnswer> {
        return sdk::Error{ADMIT_E_REJECTED, "the response body exceeds 1048576 bytes"};
    });
    EXPECT_EQ(confirm(confirm_input()).at("outcome"), "UNKNOWN");

    answer_with([](const HttpCall&) -> sdk::Result<HttpAnswer> {
        return sdk::Error::unavailable("circuit breaker of http://toss.test:8080 is open");
    });
    auto refused = fake.call("toss.confirm", confirm_input());
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(refused.error().is_unavailable());
    EXPECT_EQ(refused.error().status, ADMIT_E_UNAVAILABLE);
    EXPECT_EQ(fake.metric("toss", "calls_total", "method=\"confirm\",outcome=\"UNAVAILABLE\""),
              1.0);
    EXPECT_EQ(fake.metric("toss", "calls_total", "method=\"confirm\",outcome=\"UNKNOWN\""), 2.0);
}

TEST_F(TossUnit, CancelMapsPartialFullAndRefusals) {
    load();
    answer_with([](const HttpCall& call) {
        EXPECT_EQ(call.url, std::string(kBase) + "/v1/payments/tsim_key1/cancel");
        object body = payment("PARTIAL_CANCELED", 15000, 10000);
        body["cancels"] = boost::json::array{object{{"cancelAmount", 5000}}};
        return json_answer(200, body);
    });
    const object cancel_input{{"paymentKey", "tsim_key1"},
                              {"orderId", "order-000001"},
                              {"cancelAmount", 5000},
                              {"reason", "buyer cancelled"},
                              {"idempotencyKey", "refund-1"}};
    auto out = fake.call("toss.cancel", cancel_input);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->at("outcome"), "CANCELLED");
    EXPECT_EQ(out->at("cancelledAmount").at("amount"), 5000);
    EXPECT_EQ(out->at("balanceAmount").at("amount"), 10000);
    EXPECT_EQ(boost::json::parse(fake.http_calls().back().body),
              (object{{"cancelReason", "buyer cancelled"}, {"cancelAmount", 5000}}));
    EXPECT_EQ(fake.http_calls().back().header("Idempotency-Key"), "refund-1");

    for (const auto& [status, code, outcome] : std::vector<MappingCase>{
             {403, "NOT_CANCELABLE_AMOUNT", "REFUSED"},
             {403, "NOT_CANCELABLE_PAYMENT", "REFUSED"},
             {404, "NOT_FOUND_PAYMENT", "REFUSED"},
             {400, "ALREADY_CANCELED_PAYMENT", "UNKNOWN"},  // maybe our own earlier cancel
             {500, "FAILED_REFUND_PROCESS", "UNKNOWN"},
             {400, "SOMETHING_NEW", "UNKNOWN"}}) {
        answer_with([&](const HttpCall&) { return error_answer(status, code); });
        auto refused = fake.call("toss.cancel", cancel_input);
        ASSERT_TRUE(refused.ok());
        EXPECT_EQ(refused->at("outcome"), value(outcome)) << code;
    }
}

TEST_F(TossUnit, QueryReadsTheProvidersRecord) {
    load();
    answer_with([](const HttpCall& call) {
        EXPECT_EQ(call.method, "GET");
        EXPECT_EQ(call.url, std::string(kBase) + "/v1/payments/orders/order-000001");
        return json_answer(200, payment("PARTIAL_CANCELED", 15000, 9000));
    });
    auto found = fake.call("toss.query", object{{"orderId", "order-000001"}});
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->at("outcome"), "FOUND");
    EXPECT_EQ(found->at("status"), "PARTIALLY_CANCELLED");
    EXPECT_EQ(found->at("balanceAmount").at("amount"), 9000);
    EXPECT_EQ(found->at("paymentKey"), "tsim_key1");

    answer_with([](const HttpCall&) { return error_answer(404, "NOT_FOUND_PAYMENT"); });
    EXPECT_EQ(fake.call("toss.query", object{{"orderId", "order-000001"}})->at("outcome"),
              "NOT_FOUND");
    answer_with(
        [](const HttpCall&) { return error_answer(500, "FAILED_INTERNAL_SYSTEM_PROCESSING"); });
    EXPECT_EQ(fake.call("toss.query", object{{"orderId", "order-000001"}})->at("outcome"),
              "UNKNOWN");
    answer_with([](const HttpCall&) { return json_answer(200, payment("ABORTED", 15000, 0)); });
    EXPECT_EQ(fake.call("toss.query", object{{"orderId", "order-000001"}})->at("status"),
              "DECLINED");
}

TEST_F(TossUnit, ExchangeNeverCarriesASecret) {
    load();
    const std::string credential = base64_encode(std::string(kSecret) + ":");
    answer_with([&](const HttpCall&) {
        // An upstream that echoes what it was sent (a proxy error page, say).
        return HttpAnswer{
            500,
            {},
            std::string("bad key ") + kSecret + " / Basic " + credential + " / " + kWebhookSecret};
    });
    const object out = confirm(confirm_input());
    const std::string text = boost::json::serialize(out);
    EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
    EXPECT_EQ(text.find(credential), std::string::npos) << text;
    EXPECT_EQ(text.find(kWebhookSecret), std::string::npos) << text;
    const auto& exchange = out.at("exchange").as_object();
    EXPECT_EQ(exchange.at("requestHeaders").at("authorization"), "Basic [REDACTED]");
    EXPECT_EQ(exchange.at("requestHeaders").at("idempotency-key"), "confirm-pay_1");
    EXPECT_EQ(exchange.at("status"), 500);
    EXPECT_NE(exchange.at("responseBody").as_string().find("[REDACTED]"), std::string::npos);
    EXPECT_EQ(exchange.at("method"), "POST");
    EXPECT_EQ(exchange.at("url"), value(std::string(kBase) + "/v1/payments/confirm"));
    EXPECT_EQ(boost::json::parse(exchange.at("requestBody").as_string()).at("amount"), 15000);
}

TEST_F(TossUnit, InvalidInputIsRefusedBeforeAnythingIsSent) {
    load();
    answer_with([](const HttpCall&) { return json_answer(200, payment("DONE", 15000, 15000)); });
    auto without_key = confirm_input();
    without_key.erase("idempotencyKey");
    for (const object& bad :
         {without_key,
          object{{"orderId", "x"}, {"paymentKey", "k"}, {"amount", 1}, {"idempotencyKey", "i"}},
          object{{"orderId", "order-000001"},
                 {"paymentKey", "../admin"},
                 {"amount", 1},
                 {"idempotencyKey", "i"}},
          object{{"orderId", "order-000001"},
                 {"paymentKey", "k"},
                 {"amount", -5},
                 {"idempotencyKey", "i"}},
          object{{"orderId", "order-000001"},
                 {"paymentKey", "k"},
                 {"amount", object{{"amount", 5}, {"currency", "USD"}}},
                 {"idempotencyKey", "i"}}}) {
        auto out = fake.call("toss.confirm", bad);
        ASSERT_FALSE(out.ok()) << boost::json::serialize(bad);
        EXPECT_TRUE(out.error().is_invalid());
    }
    EXPECT_FALSE(fake.call("toss.cancel", object{{"paymentKey", "k"}}).ok());
    EXPECT_TRUE(fake.http_calls().empty());
}

TEST_F(TossUnit, CheckoutPointsAtTheCheckoutPage) {
    load();
    auto out = fake.call("toss.checkout", object{{"orderId", "order-000001"},
                                                 {"amount", 15000},
                                                 {"orderName", "Hall A R1"},
                                                 {"successUrl", "http://127.0.0.1:8080/pay/ok?x=1"},
                                                 {"failUrl", "http://127.0.0.1:8080/pay/fail"}});
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->at("checkoutUrl"),
              value(std::string(kBase) +
                    "/checkout?orderId=order-000001&amount=15000&orderName=Hall%20A%20R1"
                    "&successUrl=http%3A%2F%2F127.0.0.1%3A8080%2Fpay%2Fok%3Fx%3D1"
                    "&failUrl=http%3A%2F%2F127.0.0.1%3A8080%2Fpay%2Ffail"));
}

// --- webhooks --------------------------------------------------------------------------------

std::string webhook_body() {
    return boost::json::serialize(object{{"eventType", "PAYMENT_STATUS_CHANGED"},
                                         {"createdAt", "2026-12-06T09:10:12.000000"},
                                         {"data", payment("DONE", 15000, 15000)}});
}

object webhook(const std::string& body, int64_t t, const std::string& secret = kWebhookSecret,
               const std::string& event_id = "evt_1") {
    const std::string signature =
        "t=" + std::to_string(t) + ",v1=" + hmac_sha256_hex(secret, std::to_string(t) + "." + body);
    return object{
        {"headers", object{{"Admit-Sim-Signature", signature}, {"admit-sim-event-id", event_id}}},
        {"body", body}};
}

TEST_F(TossUnit, AWebhookSignedWithTheSecretVerifies) {
    load();
    const int64_t now = fake.now_us() / 1'000'000;
    auto out = fake.call("toss.verify_webhook", webhook(webhook_body(), now - 10));
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->at("valid"), true);
    EXPECT_EQ(out->at("eventId"), "evt_1");
    EXPECT_EQ(out->at("eventType"), "PAYMENT_STATUS_CHANGED");
    EXPECT_EQ(out->at("orderId"), "order-000001");
    EXPECT_EQ(out->at("paymentKey"), "tsim_key1");
    EXPECT_EQ(out->at("status"), "APPROVED");
    EXPECT_EQ(out->at("amount"), (object{{"amount", 15000}, {"currency", "KRW"}}));
    EXPECT_EQ(out->at("occurredAt"), "2026-12-06T00:10:12Z");
    EXPECT_EQ(fake.metric("toss", "webhooks_total", "result=\"valid\""), 1.0);
}

TEST_F(TossUnit, BadTamperedOldAndMalformedWebhooksAreRefusedWithTheirReason) {
    load();
    const int64_t now = fake.now_us() / 1'000'000;
    auto reason = [&](const object& input) {
        auto out = fake.call("toss.verify_webhook", input);
        EXPECT_TRUE(out.ok());
        EXPECT_EQ(out->at("valid"), false);
        return std::string(out->at("reason").as_string());
    };
    const std::string body = webhook_body();
    EXPECT_EQ(reason(webhook(body, now, "whsec_wrong")), "signature");
    object tampered = webhook(body, now);
    std::string changed = body;
    changed.replace(changed.find("15000"), 5, "99999");
    tampered["body"] = changed;
    EXPECT_EQ(reason(tampered), "signature");
    object unsigned_hook = webhook(body, now);
    unsigned_hook["headers"].as_object().erase("Admit-Sim-Signature");
    EXPECT_EQ(reason(unsigned_hook), "signature");
    object garbled = webhook(body, now);
    garbled["headers"].as_object()["Admit-Sim-Signature"] = "t=abc,v1=00";
    EXPECT_EQ(reason(garbled), "signature");
    EXPECT_EQ(reason(webhook(body, now - 301)), "timestamp");  // a replayed old webhook
    EXPECT_EQ(reason(webhook(body, now + 301)), "timestamp");
    EXPECT_EQ(fake.call("toss.verify_webhook", webhook(body, now - 300))->at("valid"), true);
    EXPECT_EQ(reason(webhook("{\"eventType\":1}", now)), "malformed");
    EXPECT_EQ(reason(webhook("not json", now)), "malformed");
    EXPECT_EQ(reason(webhook(body, now, kWebhookSecret, "")), "malformed");
    EXPECT_EQ(fake.metric("toss", "webhooks_total", "result=\"signature\""), 4.0);
    EXPECT_FALSE(fake.call("toss.verify_webhook", object{{"body", body}}).ok());
}

// --- refusal to start ------------------------------------------------------------------------

TEST_F(TossUnit, RefusesToStartWithoutSecrets) {
    ::unsetenv("ADMIT_TOSS_SECRET_KEY");
    auto status = fake.load(admit_plugin_descriptor_toss());
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("ADMIT_TOSS_SECRET_KEY"), std::string::npos)
        << status.message();
    ::setenv("ADMIT_TOSS_SECRET_KEY", kSecret, 1);
    ::unsetenv("ADMIT_TOSS_WEBHOOK_SECRET");
    FakeHost other;
    auto again = other.load(admit_plugin_descriptor_toss());
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.message().find("ADMIT_TOSS_WEBHOOK_SECRET"), std::string::npos);
}

TEST_F(TossUnit, RefusesSecretsInTheConfigFileAndBadUrls) {
    fake.set_config("toss", object{{"base_url", kBase}, {"secret_key", "in-the-file"}});
    auto status = fake.load(admit_plugin_descriptor_toss());
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("environment"), std::string::npos);
    FakeHost other;
    other.set_config("toss", object{{"base_url", "ftp://x"}});
    EXPECT_FALSE(other.load(admit_plugin_descriptor_toss()).ok());
}

TEST_F(TossUnit, AnAbi10HostIsRefusedWithBothVersionsNamed) {
    FakeHost old_host;
    old_host.emulate_abi_1_0();
    auto status = old_host.load(admit_plugin_descriptor_toss());
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("needs ABI 1.1, host offers 1.0"), std::string::npos)
        << status.message();
}

TEST_F(TossUnit, APluginTargeting10DetectsThatTheHostHasNoOutboundHttp) {
    FakeHost old_host;
    old_host.emulate_abi_1_0();
    ASSERT_TRUE(old_host.load(admit_plugin_descriptor_abi10_probe()).ok());
    EXPECT_EQ(abi10_probe::last_http_status, ADMIT_E_UNSUPPORTED);
    EXPECT_TRUE(old_host.http_calls().empty());

    FakeHost new_host;  // 1.1: the same plugin reaches the upstream (here: none answers)
    ASSERT_TRUE(new_host.load(admit_plugin_descriptor_abi10_probe()).ok());
    EXPECT_EQ(abi10_probe::last_http_status, ADMIT_E_UNAVAILABLE);
    EXPECT_EQ(new_host.http_calls().size(), 1u);
}

}  // namespace
}  // namespace admit::toss

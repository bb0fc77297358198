// The payment plugin under FakeHost: input validation of every route (400 naming the field),
// roles, the webhook's provider and signature gate, and how the contract's answers are read
// (an unreadable confirm outcome is UNKNOWN, never a guess). A test-only provider plugin
// ("fakepay") answers the contract's calls from values the test sets.
#include <gtest/gtest.h>

#include <admit/sdk.hpp>
#include <admit/testing/fake_host.hpp>

#include "provider_client.hpp"

ADMIT_DECLARE_PLUGIN(payment);

namespace {

using admit::sdk::Error;
using admit::sdk::Result;
using admit::sdk::Status;
using admit::testing::TestPrincipal;

/// What fakepay answers, set by the tests (one test at a time).
struct FakePayScript {
    boost::json::value webhook = boost::json::object{{"valid", false}, {"reason", "signature"}};
    boost::json::value confirm = boost::json::object{{"outcome", "SOMETHING_NEW"}};
    boost::json::object last_webhook_input;
    const admit::sdk::Host* host = nullptr;  ///< fakepay's host, to call services as a plugin
};
FakePayScript& fakepay_script() {
    static FakePayScript script;
    return script;
}

class FakePay final : public admit::sdk::Plugin {
  public:
    Status init(admit::sdk::Host& host) override {
        fakepay_script().host = &host;
        if (auto s = host.provide("fakepay.verify_webhook",
                                  [](const boost::json::value& input,
                                     const admit::sdk::Principal&) -> Result<boost::json::value> {
                                      fakepay_script().last_webhook_input = input.as_object();
                                      return fakepay_script().webhook;
                                  });
            !s)
            return s;
        return host.provide("fakepay.confirm",
                            [](const boost::json::value&, const admit::sdk::Principal&)
                                -> Result<boost::json::value> { return fakepay_script().confirm; });
    }
};

}  // namespace

ADMIT_PLUGIN_DESCRIPTOR(fakepay, FakePay, "0.0.1");

namespace {

class PaymentUnit : public ::testing::Test {
  protected:
    void SetUp() override {
        fakepay_script() = {};
        fake_.set_config("payment", {{"provider", "fakepay"}});
        fake_.set_db([](const admit::testing::DbCall&) -> Result<admit::sdk::Rows> {
            return admit::sdk::Rows{};  // no rows anywhere
        });
        ASSERT_TRUE(fake_.load(admit_plugin_descriptor_fakepay()).ok());
        auto loaded = fake_.load(admit_plugin_descriptor_payment());
        ASSERT_TRUE(loaded.ok()) << loaded.message();
    }
    static std::string code_of(const admit::testing::FakeResponse& r) {
        auto value = boost::json::parse(r.body);
        return std::string(value.at("code").as_string());
    }
    admit::testing::FakeHost fake_;
    TestPrincipal buyer_ = TestPrincipal::user("usr_buyer");
};

TEST_F(PaymentUnit, PrepareNamesTheMissingOrInvalidField) {
    auto no_body = fake_.request("POST", "/api/v1/payments/prepare", "nope", buyer_);
    EXPECT_EQ(no_body.status, 400);
    EXPECT_EQ(code_of(no_body), "INVALID_REQUEST");
    auto no_id = fake_.request("POST", "/api/v1/payments/prepare", R"({"method":"CARD"})", buyer_);
    EXPECT_EQ(no_id.status, 400);
    EXPECT_NE(no_id.body.find("reservationId"), std::string::npos);
    auto no_method =
        fake_.request("POST", "/api/v1/payments/prepare", R"({"reservationId":"rsv_1"})", buyer_);
    EXPECT_EQ(no_method.status, 400);
    EXPECT_NE(no_method.body.find("method"), std::string::npos);
    auto long_method = fake_.request(
        "POST", "/api/v1/payments/prepare",
        R"({"reservationId":"rsv_1","method":")" + std::string(41, 'x') + "\"}", buyer_);
    EXPECT_EQ(long_method.status, 400);
    EXPECT_EQ(fake_.request("POST", "/api/v1/payments/prepare", "{}").status, 401);
}

TEST_F(PaymentUnit, PrepareFailsClosedWithoutTheReservationPlugin) {
    // No reservation plugin is loaded: the service call fails closed (never "not found").
    auto r = fake_.request("POST", "/api/v1/payments/prepare",
                           R"({"reservationId":"rsv_1","method":"CARD"})", buyer_);
    EXPECT_EQ(r.status, 503) << r.body;
}

TEST_F(PaymentUnit, ConfirmNeedsThePaymentAndAProviderKey) {
    auto no_key =
        fake_.request("POST", "/api/v1/payments/confirm", R"({"paymentId":"pay_1"})", buyer_);
    EXPECT_EQ(no_key.status, 400);
    EXPECT_NE(no_key.body.find("paymentKey"), std::string::npos);
    auto wrong_type = fake_.request("POST", "/api/v1/payments/confirm",
                                    R"({"paymentId":"pay_1","paymentKey":5})", buyer_);
    EXPECT_EQ(wrong_type.status, 400);
    auto no_id =
        fake_.request("POST", "/api/v1/payments/confirm", R"({"providerKey":"pk"})", buyer_);
    EXPECT_EQ(no_id.status, 400);
    EXPECT_NE(no_id.body.find("paymentId"), std::string::npos);
    auto unknown = fake_.request("POST", "/api/v1/payments/confirm",
                                 R"({"paymentId":"pay_1","providerKey":"pk"})", buyer_);
    EXPECT_EQ(unknown.status, 404);
}

TEST_F(PaymentUnit, WebhooksAreRefusedUnlessTheAdapterVerifiesThem) {
    auto wrong_provider = fake_.request("POST", "/api/v1/payments/webhooks/toss", "{}");
    EXPECT_EQ(wrong_provider.status, 404);
    auto refused = fake_.request("POST", "/api/v1/payments/webhooks/fakepay", R"({"a":1})", {},
                                 {{"X-Signature", "abc"}});
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(code_of(refused), "UNAUTHENTICATED");
    EXPECT_NE(refused.body.find("signature"), std::string::npos);
    // The adapter got the raw body and lower-case header names.
    const auto& input = fakepay_script().last_webhook_input;
    EXPECT_EQ(input.at("body"), R"({"a":1})");
    EXPECT_EQ(input.at("headers").at("x-signature"), "abc");
    // A "valid" event without the ids it needs is malformed: refused as well.
    fakepay_script().webhook = boost::json::object{{"valid", true}, {"eventId", "evt"}};
    EXPECT_EQ(fake_.request("POST", "/api/v1/payments/webhooks/fakepay", "{}").status, 401);
}

TEST_F(PaymentUnit, StaffRefundAndAdminRoutesCheckRolesAndInput) {
    const auto staff = TestPrincipal::user("usr_staff", "staff");
    const auto admin = TestPrincipal::user("usr_admin", "admin");
    EXPECT_EQ(fake_
                  .request("POST", "/api/v1/payments/pay_1/cancel",
                           R"({"amount":100,"reason":"x"})", buyer_)
                  .status,
              403);
    auto zero = fake_.request("POST", "/api/v1/payments/pay_1/cancel",
                              R"({"amount":0,"reason":"x"})", staff);
    EXPECT_EQ(zero.status, 400);
    EXPECT_NE(zero.body.find("amount"), std::string::npos);
    auto no_reason =
        fake_.request("POST", "/api/v1/payments/pay_1/cancel", R"({"amount":100})", staff);
    EXPECT_EQ(no_reason.status, 400);
    EXPECT_NE(no_reason.body.find("reason"), std::string::npos);
    auto missing =
        fake_.request("POST", "/api/v1/payments/pay_1/cancel",
                      R"({"amount":{"amount":100,"currency":"KRW"},"reason":"x"})", staff);
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(fake_.request("GET", "/api/v1/admin/payments?status=NOPE", "", admin).status, 400);
    EXPECT_EQ(fake_.request("GET", "/api/v1/admin/payments?problem=maybe", "", admin).status, 400);
    EXPECT_EQ(fake_.request("GET", "/api/v1/admin/payments", "", buyer_).status, 403);
    auto listed = fake_.request("GET", "/api/v1/admin/payments?status=UNKNOWN", "", admin);
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(listed.body, R"({"items":[],"nextCursor":null})");
    EXPECT_EQ(fake_.request("GET", "/api/v1/payments?limit=500", "", buyer_).status, 400);
    EXPECT_EQ(fake_.request("GET", "/api/v1/payments/pay_1", "", buyer_).status, 404);
}

TEST(ProviderClient, ReadsAmountsAndNeverGuessesAnOutcome) {
    boost::json::value money = boost::json::object{{"amount", 1500}, {"currency", "KRW"}};
    boost::json::value bare = 700;
    boost::json::value text = "700";
    EXPECT_EQ(admit::payment::ProviderClient::amount_of(&money), 1500);
    EXPECT_EQ(admit::payment::ProviderClient::amount_of(&bare), 700);
    EXPECT_FALSE(admit::payment::ProviderClient::amount_of(&text).has_value());
    EXPECT_FALSE(admit::payment::ProviderClient::amount_of(nullptr).has_value());

    fakepay_script() = {};
    admit::testing::FakeHost fake;
    ASSERT_TRUE(fake.load(admit_plugin_descriptor_fakepay()).ok());
    admit::payment::ProviderClient client(*fakepay_script().host, "fakepay");
    // An outcome outside the contract may have charged: it is UNKNOWN, never DECLINED.
    auto confirmed = client.confirm("ord_1", "pk", 1000, "KRW", "pay_1");
    ASSERT_TRUE(confirmed) << confirmed.error().message;
    EXPECT_EQ(confirmed->outcome, "UNKNOWN");
    fakepay_script().confirm =
        boost::json::object{{"outcome", "APPROVED"},
                            {"approvedAmount", {{"amount", 1000}, {"currency", "KRW"}}},
                            {"approvedAt", "2026-01-02T03:04:05Z"},
                            {"exchange", {{"status", 200}}}};
    confirmed = client.confirm("ord_1", "pk", 1000, "KRW", "pay_1");
    ASSERT_TRUE(confirmed);
    EXPECT_EQ(confirmed->outcome, "APPROVED");
    EXPECT_EQ(confirmed->amount, 1000);
    EXPECT_EQ(confirmed->approved_us, 1767323045000000);
    EXPECT_EQ(confirmed->exchange.at("status"), 200);
    // A provider the venue did not load fails closed (unavailable: certainly not sent).
    admit::payment::ProviderClient missing(*fakepay_script().host, "nopay");
    auto none = missing.confirm("ord_1", "pk", 1000, "KRW", "pay_1");
    ASSERT_FALSE(none);
    EXPECT_TRUE(none.error().is_unavailable());
}

}  // namespace

// The checkout page of admit-pay-sim: an accessible, script-free page whose forms approve or
// decline and redirect to the merchant's URLs; every parameter validated.
#include <gtest/gtest.h>

#include "paysim_fixture.hpp"

namespace admit::paysim::testing {
namespace {

const std::string kSuccess = "http%3A%2F%2F127.0.0.1%3A8080%2Fpay%2Fsuccess%3Fr%3D1";
const std::string kFail = "http%3A%2F%2F127.0.0.1%3A8080%2Fpay%2Ffail";

std::string form(const std::string& order_id, const std::string& amount) {
    return "orderId=" + order_id + "&amount=" + amount +
           "&orderName=Seat+A-1&successUrl=" + kSuccess + "&failUrl=" + kFail;
}

admit::testing::HttpResult submit(PaySim& sim, const std::string& path, const std::string& body) {
    return admit::testing::http_request(sim.port(), "POST", path, body,
                                        {{"Content-Type", "application/x-www-form-urlencoded"}});
}

TEST(PaySimCheckout, PageShowsTheOrderWithTwoPlainForms) {
    PaySim sim;
    auto r = sim.get("/checkout?" + form("order-page-1", "15000") + "&x=%3Cscript%3E");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.headers["content-type"].find("text/html"), std::string::npos);
    EXPECT_NE(r.headers["content-security-policy"].find("default-src 'none'"), std::string::npos);
    EXPECT_NE(r.body.find("<html lang=\"en\">"), std::string::npos);
    EXPECT_NE(r.body.find("KRW 15,000"), std::string::npos);
    EXPECT_NE(r.body.find("action=\"/checkout/approve\""), std::string::npos);
    EXPECT_NE(r.body.find("action=\"/checkout/decline\""), std::string::npos);
    EXPECT_EQ(r.body.find("<script"), std::string::npos);
    EXPECT_EQ(r.body.find("style="), std::string::npos);
}

TEST(PaySimCheckout, ApproveRedirectsToSuccessUrlWithPaymentKey) {
    PaySim sim;
    auto r = submit(sim, "/checkout/approve", form("order-page-2", "15000"));
    ASSERT_EQ(r.status, 303) << r.body;
    const auto& location = r.headers["location"];
    EXPECT_EQ(location.rfind("http://127.0.0.1:8080/pay/success?r=1&paymentKey=tsim_", 0), 0u)
        << location;
    EXPECT_NE(location.find("&orderId=order-page-2&amount=15000"), std::string::npos) << location;
    auto key = location.substr(location.find("paymentKey=") + 11);
    key = key.substr(0, key.find('&'));
    EXPECT_EQ(sim.confirm(key, "order-page-2", 15000).status, 200);
}

TEST(PaySimCheckout, DeclineRedirectsToFailUrlWithCode) {
    PaySim sim;
    auto r = submit(sim, "/checkout/decline", form("order-page-3", "15000"));
    ASSERT_EQ(r.status, 303);
    const auto& location = r.headers["location"];
    EXPECT_EQ(
        location.rfind("http://127.0.0.1:8080/pay/fail?code=PAY_PROCESS_CANCELED&message=", 0), 0u)
        << location;
    EXPECT_NE(location.find("orderId=order-page-3"), std::string::npos);
    EXPECT_TRUE(sim.ledger_entry("order-page-3").empty());
}

TEST(PaySimCheckout, BadParametersAre400) {
    PaySim sim;
    std::vector<std::string> bad{
        "",
        "orderId=short&amount=100&successUrl=" + kSuccess + "&failUrl=" + kFail,
        "orderId=order-bad-1&amount=ten&successUrl=" + kSuccess + "&failUrl=" + kFail,
        "orderId=order-bad-1&amount=0&successUrl=" + kSuccess + "&failUrl=" + kFail,
        "orderId=order-bad-1&amount=100&successUrl=javascript%3Aalert(1)&failUrl=" + kFail,
        "orderId=order-bad-1&amount=100&successUrl=" + kSuccess + "&failUrl=%2Frelative",
        "orderId=order-bad-1&amount=100&successUrl=" + kSuccess,
        "orderId=order-bad-1&amount=100&amount=200&successUrl=" + kSuccess + "&failUrl=" + kFail,
        "orderId=order-bad-1&amount=100%ZZ&successUrl=" + kSuccess + "&failUrl=" + kFail,
    };
    for (const auto& q : bad) {
        auto r = sim.get("/checkout?" + q);
        EXPECT_EQ(r.status, 400) << q;
        EXPECT_NE(r.body.find("role=\"alert\""), std::string::npos) << q;
        EXPECT_EQ(submit(sim, "/checkout/approve", q).status, 400) << q;
    }
    EXPECT_EQ(sim.get("/healthz").status, 200);
}

TEST(PaySimCheckout, AllowedOriginsRestrictRedirects) {
    PaySim sim("[server]\nallowed_redirect_origins = [\"http://127.0.0.1:8080\"]\n");
    EXPECT_EQ(sim.get("/checkout?" + form("order-origin-1", "100")).status, 200);
    auto other =
        "orderId=order-origin-1&amount=100&successUrl=http%3A%2F%2Fevil.test%2Fok&failUrl=" + kFail;
    auto r = sim.get("/checkout?" + other);
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("allowed origin"), std::string::npos);
}

}  // namespace
}  // namespace admit::paysim::testing

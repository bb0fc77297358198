// After a real purchase the buyer's ticket mail reaches the harness's SMTP server: one admitd with
// the real plugins (auth, arthall, product, reservation, toss, payment, ticket, notification),
// admit-pay-sim as the provider, aiosmtpd requiring STARTTLS and AUTH. The purchase steps follow
// tests/e2e/purchase_e2e_test.cpp.
#include "notification_e2e_fixture.hpp"
#include "tests/outbound/test_http_server.hpp"
#include "tests/plugins/toss/paysim_fixture.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "tests/support/smtp_sink.hpp"

#include <cstdlib>
#include <ctime>
#include <regex>

namespace admit::testing {
namespace {

using Headers = std::map<std::string, std::string>;

std::string rfc3339(int64_t us) {
    std::time_t t = us / 1000000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

class PurchaseMail : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto cert_dir = write_temp_file("README", "smtp certificate").parent_path();
        std::string cert;
        std::string key;
        ASSERT_TRUE(outbound::testing::make_self_signed(cert_dir.string(), cert, key));
        sink_ =
            std::make_unique<SmtpSink>(SmtpSink::Options{cert, key, "mailer", "smtp-secret-pw"});
        ASSERT_NE(sink_->port(), 0) << sink_->log();
        TestVenue venue{.plugins = {"auth", "arthall", "product", "reservation", "toss", "payment",
                                    "ticket", "notification"},
                        .manual_clock = true};
        venue.extra_toml =
            "[plugin.toss]\nbase_url = \"http://127.0.0.1:" + std::to_string(sim_.port()) +
            "\"\n[plugin.payment]\nprovider = \"toss\"\n"
            "success_url = \"http://127.0.0.1/payments/success\"\n"
            "fail_url = \"http://127.0.0.1/payments/fail\"\n"
            "[plugin.notification]\ntemplates_dir = \"" ADMIT_TEST_SOURCE_DIR
            "/config/venues/demo/notifications\"\npublic_base_url = \"https://tickets.example\"\n"
            "delivery_interval_ms = 50\nsmtp_url = \"smtp://127.0.0.1:" +
            std::to_string(sink_->port()) + "\"\nsmtp_ca_file = \"" + cert +
            "\"\nemail_from = \"tickets@admit.test\"\n";
        venue_ = write_temp_file("venue.toml", venue_toml(venue, &storage_));
        ::setenv("ADMIT_TOSS_SECRET_KEY", paysim::testing::kSecret, 1);
        ::setenv("ADMIT_TOSS_WEBHOOK_SECRET", paysim::testing::kWebhookSecret, 1);
        ::setenv("ADMIT_SMTP_USER", "mailer", 1);
        ::setenv("ADMIT_SMTP_PASSWORD", "smtp-secret-pw", 1);
        auto created = run_command(ADMIT_ADMITD_BINARY,
                                   {"--config", venue_.string(), "admin", "create", "--email",
                                    "root@admit.test", "--password-env", "ADMIT_E2E_ADMIN_PW"},
                                   std::chrono::seconds(120));
        ASSERT_EQ(created.status, 0) << created.output;
        admitd_ = std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", venue_.string()});
        auto port = admitd_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << admitd_->log();
        port_ = *port;
    }

    HttpResult call(const std::string& method, const std::string& path,
                    const std::string& token = "", const std::string& body = "") {
        Headers h;
        if (!token.empty()) h["Authorization"] = "Bearer " + token;
        if (!body.empty()) h["Content-Type"] = "application/json";
        return http_request(port_, method, "/api/v1" + path, body, h, 30000);
    }
    boost::json::object json(const HttpResult& r) { return json_object_of(r); }
    std::string login(const std::string& email, const std::string& password) {
        auto r = call("POST", "/auth/login", "",
                      R"({"email":")" + email + R"(","password":")" + password + "\"}");
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(json(r)["accessToken"].as_string());
    }
    std::string account(const std::string& email, const std::string& role) {
        // A self-registered seller sells once an admin approved it.
        auto signup = sign_up_approved(port_, email, role, "root@admit.test", "root-password-e2e");
        EXPECT_EQ(signup.status, 201) << signup.body;
        return login(email, "long-enough-pw");
    }

    /// A product on sale with one 1 x 2 stage at 100,000 KRW a seat; its schedule id.
    std::string schedule_on_sale(const std::string& admin, const std::string& seller) {
        auto hall = call("POST", "/halls", seller, R"({"name":"Mail Hall"})");
        const std::string hall_id(json(hall)["hallId"].as_string());
        auto stage = call("POST", "/halls/" + hall_id + "/stages", seller,
                          R"({"name":"Main","layout":{"sections":[{"name":"A","rows":1,)"
                          R"("seatsPerRow":2,"grade":"R"}]}})");
        const std::string stage_id(json(stage)["stageId"].as_string());
        const int64_t now_us =
            json(call("POST", "/admin/clock", admin, R"({"advanceSeconds":0})"))["nowUs"]
                .as_int64();
        auto product = call(
            "POST", "/products", seller,
            R"({"title":"Mail Night","category":"CONCERT","stageId":")" + stage_id +
                R"(","saleStartsAt":")" + rfc3339(now_us + 60'000'000) + R"(","saleEndsAt":")" +
                rfc3339(now_us + 86'400'000'000LL) +
                R"(","grades":[{"name":"R","price":{"amount":100000,"currency":"KRW"}}],)" +
                R"("schedules":[{"startsAt":")" + rfc3339(now_us + 2 * 86'400'000'000LL) + "\"}]}");
        EXPECT_EQ(product.status, 201) << product.body;
        const std::string product_id(json(product)["productId"].as_string());
        EXPECT_EQ(call("POST", "/products/" + product_id + "/submit", seller).status, 200);
        auto approved = call("POST", "/products/" + product_id + "/approve", admin);
        EXPECT_EQ(approved.status, 200) << approved.body;
        EXPECT_EQ(call("POST", "/admin/clock", admin, R"({"advanceSeconds":61})").status, 200);
        EXPECT_TRUE(eventually(
            [&] { return json(call("GET", "/products/" + product_id))["status"] == "ON_SALE"; }));
        return std::string(json(approved)["schedules"].at(0).at("scheduleId").as_string());
    }

    paysim::testing::PaySim sim_;
    std::unique_ptr<SmtpSink> sink_;
    IsolatedStorage storage_;
    std::filesystem::path venue_;
    std::unique_ptr<AdmitdProcess> admitd_;
    uint16_t port_ = 0;
};

TEST_F(PurchaseMail, TheBuyerGetsTheTicketMailWithItsQrLinkAndTheConfirmationWithItsAmount) {
    auto admin = login("root@admit.test", "root-password-e2e");
    auto seller = account("seller@mail.test", "seller");
    auto buyer = account("buyer@mail.test", "customer");
    const auto schedule = schedule_on_sale(admin, seller);
    const std::string seat(
        json(call("GET", "/schedules/" + schedule + "/seats"))["seats"].at(0).at(0).as_string());
    HttpResult held;
    ASSERT_TRUE(eventually([&] {  // the reservation plugin's cached sale context catches up
        held = call("POST", "/reservations", buyer,
                    R"({"scheduleId":")" + schedule + R"(","seatIds":[")" + seat + "\"]}");
        return held.status == 201;
    })) << held.body;
    const std::string reservation(json(held)["reservationId"].as_string());
    auto prepared = call("POST", "/payments/prepare", buyer,
                         R"({"reservationId":")" + reservation + R"(","method":"CARD"})");
    ASSERT_EQ(prepared.status, 201) << prepared.body;
    auto payment = json(prepared);
    const std::string payment_key = sim_.approve(std::string(payment["orderId"].as_string()),
                                                 payment["amount"].at("amount").as_int64());
    auto confirmed = call("POST", "/payments/confirm", buyer,
                          R"({"paymentId":")" + std::string(payment["paymentId"].as_string()) +
                              R"(","paymentKey":")" + payment_key + "\"}");
    ASSERT_EQ(confirmed.status, 200) << confirmed.body;
    ASSERT_TRUE(eventually(
        [&] { return json(call("GET", "/tickets", buyer))["items"].as_array().size() == 1; }));
    const std::string ticket(
        json(call("GET", "/tickets", buyer))["items"].at(0).at("ticketId").as_string());

    // The venue runs on the manual clock: the delivery job runs as the test moves time on.
    auto mail_with = [&](const std::string& subject) -> std::optional<boost::json::object> {
        call("POST", "/admin/clock", admin, R"({"advanceSeconds":1})");
        for (const auto& mail : sink_->messages()) {
            if (std::string(mail.at("data").as_string()).find("Subject: " + subject + "\r\n") !=
                std::string::npos)
                return mail;
        }
        return std::nullopt;
    };
    ASSERT_TRUE(eventually([&] { return mail_with("Your ticket is ready").has_value(); }))
        << sink_->log() << admitd_->log();
    const auto ticket_mail = *mail_with("Your ticket is ready");
    EXPECT_EQ(ticket_mail.at("to"), (boost::json::array{"buyer@mail.test"}));
    EXPECT_EQ(ticket_mail.at("tls"), true);
    const std::string text(ticket_mail.at("data").as_string());
    EXPECT_NE(text.find("https://tickets.example/api/v1/tickets/" + ticket + "/qr.svg"),
              std::string::npos)
        << text;
    ASSERT_TRUE(eventually(
        [&] { return mail_with("Reservation " + reservation + " confirmed").has_value(); }));
    EXPECT_NE(
        std::string(mail_with("Reservation " + reservation + " confirmed")->at("data").as_string())
            .find("Total paid: 100000 KRW"),
        std::string::npos);
}

}  // namespace
}  // namespace admit::testing

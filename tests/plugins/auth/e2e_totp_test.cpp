// The TOTP second factor of admin accounts through a real admitd: enrolment, confirmation, logins
// that need the code, replay refusal, and `admitd admin create` saying how to turn it on.
#include "auth_e2e_fixture.hpp"
#include "totp.hpp"

#include <ctime>

namespace admit::auth::testing {
namespace {

class Totp : public AuthEndToEnd {
  protected:
    /// The admin's login with `code` as totpCode (none when empty).
    HttpResult login_with(const std::string& code) {
        boost::json::object body{{"email", "root@example.com"}, {"password", "an admin password"}};
        if (!code.empty()) body["totpCode"] = code;
        return post("/api/v1/auth/login", body);
    }
};

TEST_F(Totp, AnAdminEnablesTotpAndEveryLoginThenNeedsAFreshCode) {
    const auto boss = admin();
    EXPECT_EQ(post("/api/v1/auth/totp/confirm", {{"code", "123456"}}, boss.access).status, 409)
        << "nothing to confirm before an enrolment";

    auto enrolled = post("/api/v1/auth/totp/enrol", boost::json::object{}, boss.access);
    ASSERT_EQ(enrolled.status, 200) << enrolled.body;
    EXPECT_EQ(enrolled.headers["cache-control"], "no-store");
    const auto answer = boost::json::parse(enrolled.body).as_object();
    const std::string secret_text(answer.at("secret").as_string());
    const std::string uri(answer.at("otpauthUri").as_string());
    EXPECT_EQ(uri.rfind("otpauth://totp/admit-test:root@example.com?secret=" + secret_text, 0), 0u)
        << uri;
    const auto secret = totp::base32_decode(secret_text);
    ASSERT_TRUE(secret.has_value());
    EXPECT_EQ(secret->size(), 20u);

    // Until it is confirmed, logins need no code.
    EXPECT_EQ(login_with("").status, 200);
    const int64_t step = totp::step_of(std::time(nullptr));
    auto wrong = post("/api/v1/auth/totp/confirm", {{"code", totp::code_at(*secret, step + 5)}},
                      boss.access);
    EXPECT_EQ(wrong.status, 422) << wrong.body;
    EXPECT_EQ(code_of(wrong), "TOTP_INVALID");
    auto confirmed =
        post("/api/v1/auth/totp/confirm", {{"code", totp::code_at(*secret, step)}}, boss.access);
    ASSERT_EQ(confirmed.status, 200) << confirmed.body;
    EXPECT_EQ(post("/api/v1/auth/totp/enrol", boost::json::object{}, boss.access).status, 409)
        << "an enabled factor is not replaced by a new enrolment";

    auto missing = login_with("");
    EXPECT_EQ(missing.status, 401) << missing.body;
    EXPECT_EQ(code_of(missing), "TOTP_REQUIRED");
    auto bad = login_with(totp::code_at(*secret, step + 7));
    EXPECT_EQ(bad.status, 401) << bad.body;
    EXPECT_EQ(code_of(bad), "TOTP_INVALID");
    auto replayed = login_with(totp::code_at(*secret, step));
    EXPECT_EQ(replayed.status, 401) << "the code that confirmed the factor is used up";
    EXPECT_EQ(code_of(replayed), "TOTP_INVALID");

    const std::string next = totp::code_at(*secret, step + 1);
    auto passed = login_with(next);
    ASSERT_EQ(passed.status, 200) << passed.body;
    auto again = login_with(next);
    EXPECT_EQ(again.status, 401) << "the same code in the same step is refused";
    EXPECT_EQ(code_of(again), "TOTP_INVALID");
    auto wrong_password =
        post("/api/v1/auth/login",
             {{"email", "root@example.com"}, {"password", "not the password"}, {"totpCode", next}});
    EXPECT_EQ(code_of(wrong_password), "INVALID_CREDENTIALS");

    bool enabled_event = false;
    for (const auto& [topic, payload] : auth_events())
        enabled_event = enabled_event || topic == "auth.totp_enabled";
    EXPECT_TRUE(enabled_event);
}

TEST_F(Totp, OnlyAdminsEnrolAndTheAdminCommandSaysHow) {
    signup("buyer@example.com");
    const auto buyer = login("buyer@example.com");
    EXPECT_EQ(post("/api/v1/auth/totp/enrol", boost::json::object{}, buyer.access).status, 403);
    EXPECT_EQ(post("/api/v1/auth/totp/enrol", boost::json::object{}).status, 401);
    const auto boss = admin();
    auto no_code = post("/api/v1/auth/totp/confirm", boost::json::object{}, boss.access);
    EXPECT_EQ(no_code.status, 400) << no_code.body;
    EXPECT_TRUE(names_field(no_code, "code")) << no_code.body;

    ::setenv("ADMIT_TEST_SECOND_ADMIN_PASSWORD", "another admin password", 1);
    auto made = admitd_command({"admin", "create", "--email", "second@example.com",
                                "--password-env", "ADMIT_TEST_SECOND_ADMIN_PASSWORD"});
    ASSERT_EQ(made.status, 0) << made.output;
    EXPECT_NE(made.output.find("/api/v1/auth/totp/enrol"), std::string::npos) << made.output;
}

}  // namespace
}  // namespace admit::auth::testing

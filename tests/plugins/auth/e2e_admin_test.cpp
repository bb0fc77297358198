// Admin changes (suspension, role, tier), the one-shot admin command, services, JWKS and key
// rotation through a real admitd.
#include "auth_e2e_fixture.hpp"
#include "token_forge.hpp"

namespace admit::auth::testing {
namespace {

using Admin = AuthEndToEnd;

TEST_F(Admin, SuspensionTakesEffectOnTheNextRequest) {
    const std::string id = signup("suspect@example.com");
    const auto user = login("suspect@example.com");
    const auto boss = admin();
    ASSERT_EQ(get("/api/v1/auth/me", user.access).status, 200);

    auto suspended =
        request("PATCH", "/api/v1/admin/users/" + id, R"({"status":"suspended"})", boss.access);
    ASSERT_EQ(suspended.status, 200) << suspended.body;
    EXPECT_EQ(boost::json::parse(suspended.body).at("status"), "suspended");
    EXPECT_EQ(get("/api/v1/auth/me", user.access).status, 401);
    auto relogin =
        post("/api/v1/auth/login", {{"email", "suspect@example.com"}, {"password", kPassword}});
    EXPECT_EQ(relogin.status, 403) << relogin.body;
    EXPECT_EQ(code_of(relogin), "FORBIDDEN");
    EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", user.refresh}}).status, 403);

    ASSERT_EQ(
        request("PATCH", "/api/v1/admin/users/" + id, R"({"status":"active"})", boss.access).status,
        200);
    EXPECT_EQ(get("/api/v1/auth/me", login("suspect@example.com").access).status, 200);
}

TEST_F(Admin, RoleAndTierChangesReachTheNextToken) {
    const std::string id = signup("climber@example.com");
    const auto user = login("climber@example.com");
    const auto boss = admin();
    auto changed = request("PATCH", "/api/v1/admin/users/" + id,
                           R"({"tier":"DIAMOND","role":"staff"})", boss.access);
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(get("/api/v1/auth/me", user.access).status, 401)
        << "tokens that carry the old role stop at once";
    auto refreshed = post("/api/v1/auth/refresh", {{"refreshToken", user.refresh}});
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;
    const std::string access(boost::json::parse(refreshed.body).at("accessToken").as_string());
    const auto claims = payload_of(access);
    EXPECT_EQ(claims.at("tier"), "DIAMOND");
    EXPECT_EQ(claims.at("role"), "staff");
    auto me = get("/api/v1/auth/me", access);
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(boost::json::parse(me.body).at("tier"), "DIAMOND");
}

TEST_F(Admin, TheAdminRouteRefusesOthersAndBadInput) {
    const std::string id = signup("plain@example.com");
    const auto user = login("plain@example.com");
    const auto boss = admin();
    auto forbidden =
        request("PATCH", "/api/v1/admin/users/" + id, R"({"tier":"GOLD"})", user.access);
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_EQ(request("PATCH", "/api/v1/admin/users/" + id, R"({"tier":"GOLD"})").status, 401);
    EXPECT_EQ(request("PATCH", "/api/v1/admin/users/usr_nobody", R"({"tier":"GOLD"})", boss.access)
                  .status,
              404);
    for (const auto& [body, field] :
         std::vector<std::pair<std::string, std::string>>{{R"({"tier":"PLATINUM"})", "tier"},
                                                          {R"({"role":"root"})", "role"},
                                                          {R"({"status":"deleted"})", "status"},
                                                          {R"({})", "status"},
                                                          {R"({"tier":5})", "tier"}}) {
        auto r = request("PATCH", "/api/v1/admin/users/" + id, body, boss.access);
        EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
        EXPECT_TRUE(names_field(r, field)) << r.body;
    }
    auto self = request("PATCH", "/api/v1/admin/users/" + boss.user_id, R"({"status":"suspended"})",
                        boss.access);
    EXPECT_EQ(self.status, 422) << self.body;
    auto signup_as_admin = post("/api/v1/auth/signup", {{"email", "sneaky@example.com"},
                                                        {"password", kPassword},
                                                        {"name", "S"},
                                                        {"role", "admin"}});
    EXPECT_EQ(signup_as_admin.status, 400);
}

TEST_F(Admin, TheAdminCommandAndTheServices) {
    const auto boss = admin();
    auto me = get("/api/v1/auth/me", boss.access);
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(boost::json::parse(me.body).at("role"), "admin");
    ::setenv("ADMIT_TEST_ADMIN_PASSWORD", "an admin password", 1);
    auto twice = admitd_command({"admin", "create", "--email", "root@example.com", "--password-env",
                                 "ADMIT_TEST_ADMIN_PASSWORD"});
    EXPECT_EQ(twice.status, 1) << "the email is taken: " << twice.output;
    ::setenv("ADMIT_TEST_WEAK_PASSWORD", "short", 1);
    auto weak = admitd_command({"admin", "create", "--email", "other@example.com", "--password-env",
                                "ADMIT_TEST_WEAK_PASSWORD"});
    EXPECT_EQ(weak.status, 1) << weak.output;  // exit_failed

    auto looked_up =
        admitd_command({"call", "auth.user", R"({"userId":")" + boss.user_id + R"("})"});
    ASSERT_EQ(looked_up.status, 0) << looked_up.output;
    EXPECT_NE(looked_up.output.find("root@example.com"), std::string::npos) << looked_up.output;
    EXPECT_EQ(looked_up.output.find("argon2"), std::string::npos);
    auto missing = admitd_command({"call", "auth.user", R"({"userId":"usr_nobody"})"});
    EXPECT_EQ(missing.status, 1) << missing.output;  // exit_failed
}

TEST_F(Admin, JwksPublishesTheKeyThatSignsTokens) {
    signup("keyed@example.com");
    const auto session = login("keyed@example.com");
    auto jwks = get("/.well-known/jwks.json");
    ASSERT_EQ(jwks.status, 200) << jwks.body;
    const auto keys = boost::json::parse(jwks.body).at("keys").as_array();
    ASSERT_FALSE(keys.empty());
    EXPECT_EQ(keys[0].at("kid"), header_of(session.access).at("kid"));
    EXPECT_EQ(keys[0].at("kid").as_string(), key_->kid) << "the key from the environment signs";
    EXPECT_EQ(keys[0].at("x").as_string(), key_->public_text());
    EXPECT_EQ(jwks.body.find("\"d\""), std::string::npos) << "never the private part";
}

TEST_F(Admin, ANewEnvironmentSeedTakesOverWhileTheOldKeyStillVerifies) {
    signup("continuity@example.com");
    const auto before = login("continuity@example.com");
    const std::string old_kid = key_->kid;
    new_environment_key();
    restart_admitd();
    EXPECT_EQ(get("/api/v1/auth/me", before.access).status, 200)
        << "the previous key verifies one token lifetime more";
    const auto after = login("continuity@example.com");
    EXPECT_EQ(header_of(after.access).at("kid").as_string(), key_->kid);
    const auto keys = boost::json::parse(get("/.well-known/jwks.json").body).at("keys").as_array();
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].at("kid").as_string(), key_->kid);
    EXPECT_EQ(keys[1].at("kid").as_string(), old_kid);
}

class KeyRotation : public AuthEndToEnd {
  protected:
    KeyRotation() : AuthEndToEnd(Options{.key_from_environment = false}) {}
};

TEST_F(KeyRotation, OldTokensVerifyAfterRotationAndNewOnesUseTheNewKey) {
    signup("rotating@example.com");
    const auto before = login("rotating@example.com");
    const auto boss = admin();
    const std::string old_kid(header_of(before.access).at("kid").as_string());

    auto rotated = request("POST", "/api/v1/admin/auth/signing-keys/rotate", "", boss.access);
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    const std::string new_kid(boost::json::parse(rotated.body).at("kid").as_string());
    EXPECT_NE(new_kid, old_kid);

    EXPECT_EQ(get("/api/v1/auth/me", before.access).status, 200)
        << "the retired key still verifies";
    const auto after = login("rotating@example.com");
    EXPECT_EQ(header_of(after.access).at("kid").as_string(), new_kid);
    const auto keys = boost::json::parse(get("/.well-known/jwks.json").body).at("keys").as_array();
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].at("kid").as_string(), new_kid);
    EXPECT_EQ(keys[1].at("kid").as_string(), old_kid);
    EXPECT_EQ(request("POST", "/api/v1/admin/auth/signing-keys/rotate", "", after.access).status,
              403);
}

TEST_F(KeyRotation, TheGeneratedKeySurvivesARestart) {
    signup("durable@example.com");
    const auto session = login("durable@example.com");
    restart_admitd();
    EXPECT_EQ(get("/api/v1/auth/me", session.access).status, 200);
}

class RealRateLimits : public AuthEndToEnd {
  protected:
    RealRateLimits() : AuthEndToEnd(Options{.real_rate_limits = true}) {}
};

TEST_F(RealRateLimits, SignupLoginAndRefreshCountAsTheAuthCategory) {
    signup("limited@example.com");
    const auto session = login("limited@example.com");
    int limited_at = 0;
    for (int i = 1; i <= 20 && limited_at == 0; ++i) {
        const auto r = i % 2 == 0 ? post("/api/v1/auth/refresh", {{"refreshToken", "rt_unknown"}})
                                  : post("/api/v1/auth/login", {{"email", "limited@example.com"},
                                                                {"password", "wrong password"}});
        if (r.status == 429) limited_at = i;
    }
    EXPECT_GT(limited_at, 0)
        << "the auth category (10 per minute per IP) applies to login and refresh";
    EXPECT_EQ(code_of(post("/api/v1/auth/signup",
                           {{"email", "x@example.com"}, {"password", kPassword}, {"name", "X"}})),
              "RATE_LIMITED");
    EXPECT_EQ(get("/api/v1/auth/me", session.access).status, 200)
        << "me is in the general category";
}

}  // namespace
}  // namespace admit::auth::testing

// The account flow through real HTTP, PostgreSQL and Redis: signup, login, me, refresh rotation
// and reuse detection, logout, input validation, audit events, and Redis loss.
#include "auth_e2e_fixture.hpp"
#include "tests/support/e2e_helpers.hpp"
#include "token_forge.hpp"

#include <pqxx/pqxx>

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace admit::auth::testing {
namespace {

using admit::testing::metric_value;

using Flow = AuthEndToEnd;

TEST_F(Flow, SignupLoginMeAsTheApiSays) {
    auto signed_up = post("/api/v1/auth/signup", {{"email", "Ada@Example.com"},
                                                  {"password", kPassword},
                                                  {"name", "Ada"},
                                                  {"role", "seller"}});
    ASSERT_EQ(signed_up.status, 201) << signed_up.body;
    const auto user = boost::json::parse(signed_up.body).as_object();
    EXPECT_EQ(user.at("email"), "ada@example.com");
    EXPECT_EQ(user.at("role"), "seller");
    EXPECT_EQ(user.at("tier"), "none");
    EXPECT_EQ(user.at("status"), "active");
    EXPECT_TRUE(user.at("id").as_string().starts_with("usr_"));
    EXPECT_EQ(signed_up.body.find("argon2"), std::string::npos);

    auto logged_in =
        post("/api/v1/auth/login", {{"email", "ada@example.com"}, {"password", kPassword}});
    ASSERT_EQ(logged_in.status, 200) << logged_in.body;
    const auto tokens = boost::json::parse(logged_in.body).as_object();
    EXPECT_EQ(tokens.at("expiresIn"), 600);
    EXPECT_TRUE(tokens.at("refreshToken").is_string());
    const std::string access(tokens.at("accessToken").as_string());

    auto me = request("GET", "/api/v1/auth/me", "", access,
                      {{"X-User-Id", "usr_someone_else"}, {"X-Role", "admin"}});
    ASSERT_EQ(me.status, 200) << me.body;
    const auto caller = boost::json::parse(me.body).as_object();
    EXPECT_EQ(caller.at("id"), user.at("id")) << "identity headers from the client are ignored";
    EXPECT_EQ(caller.at("role"), "seller");
    EXPECT_EQ(caller.at("tier"), "none");

    EXPECT_EQ(get("/api/v1/auth/me").status, 401);
}

TEST_F(Flow, AccessTokensNameTheirClientAndRefreshKeepsIt) {
    signup("cli@example.com");
    auto by_default =
        post("/api/v1/auth/login", {{"email", "cli@example.com"}, {"password", kPassword}});
    ASSERT_EQ(by_default.status, 200) << by_default.body;
    const auto tokens = boost::json::parse(by_default.body).as_object();
    EXPECT_EQ(payload_of(std::string(tokens.at("accessToken").as_string())).at("client_id"),
              "admit-web");

    auto named =
        post("/api/v1/auth/login",
             {{"email", "cli@example.com"}, {"password", kPassword}, {"clientId", "admit-web"}});
    ASSERT_EQ(named.status, 200) << named.body;
    auto refreshed = post("/api/v1/auth/refresh",
                          {{"refreshToken", boost::json::parse(named.body).at("refreshToken")}});
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;
    const std::string rotated(boost::json::parse(refreshed.body).at("accessToken").as_string());
    EXPECT_EQ(payload_of(rotated).at("client_id"), "admit-web");
    EXPECT_EQ(get("/api/v1/auth/me", rotated).status, 200);

    for (const auto& client : {boost::json::value("someone-else"), boost::json::value(7)}) {
        auto refused =
            post("/api/v1/auth/login",
                 {{"email", "cli@example.com"}, {"password", kPassword}, {"clientId", client}});
        EXPECT_EQ(refused.status, 400) << refused.body;
        EXPECT_EQ(code_of(refused), "INVALID_REQUEST");
        EXPECT_NE(refused.body.find("clientId"), std::string::npos) << refused.body;
    }
}

TEST_F(Flow, TokensAreNeverKeptForAnIdempotencyReplay) {
    signup("idem@example.com");
    const boost::json::value body{{"email", "idem@example.com"}, {"password", kPassword}};
    auto first = request("POST", "/api/v1/auth/login", boost::json::serialize(body), "",
                         {{"Idempotency-Key", "login-1"}, {"Content-Type", "application/json"}});
    auto second = request("POST", "/api/v1/auth/login", boost::json::serialize(body), "",
                          {{"Idempotency-Key", "login-1"}, {"Content-Type", "application/json"}});
    ASSERT_EQ(first.status, 200) << first.body;
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(second.headers.count("idempotent-replayed"), 0u);
    // Not a stored copy: a second session with its own refresh token.
    EXPECT_NE(boost::json::parse(first.body).at("refreshToken"),
              boost::json::parse(second.body).at("refreshToken"));
}

TEST_F(Flow, SignupValidatesEveryFieldAndRefusesATakenEmail) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"not json", "email"},  // placeholder field; checked separately below
        {R"({"password":"correct horse battery","name":"A"})", "email"},
        {R"({"email":"not-an-email","password":"correct horse battery","name":"A"})", "email"},
        {R"({"email":"a@example.com","name":"A"})", "password"},
        {R"({"email":"a@example.com","password":"short","name":"A"})", "password"},
        {R"({"email":"a@example.com","password":")" + std::string(129, 'x') + R"(","name":"A"})",
         "password"},
        {R"({"email":"a@example.com","password":"correct horse battery"})", "name"},
        {R"({"email":"a@example.com","password":"correct horse battery","name":"   "})", "name"},
        {R"({"email":"a@example.com","password":"correct horse battery","name":"A","role":"admin"})",
         "role"},
        {R"({"email":"a@example.com","password":"correct horse battery","name":"A","role":7})",
         "role"},
    };
    for (const auto& [body, field] : cases) {
        auto r = request("POST", "/api/v1/auth/signup", body);
        EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
        EXPECT_EQ(code_of(r), "INVALID_REQUEST") << body;
        if (body != "not json") {
            EXPECT_TRUE(names_field(r, field)) << r.body;
        }
    }
    signup("taken@example.com");
    auto again = post("/api/v1/auth/signup",
                      {{"email", "TAKEN@example.com"}, {"password", kPassword}, {"name", "B"}});
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(code_of(again), "EMAIL_TAKEN");
}

TEST_F(Flow, AWrongPasswordAndAnUnknownEmailLookTheSame) {
    signup("known@example.com");
    auto wrong = post("/api/v1/auth/login",
                      {{"email", "known@example.com"}, {"password", "wrong password!"}});
    auto unknown = post("/api/v1/auth/login",
                        {{"email", "nobody@example.com"}, {"password", "wrong password!"}});
    auto malformed =
        post("/api/v1/auth/login", {{"email", "nobody"}, {"password", "wrong password!"}});
    for (const auto* r : {&wrong, &unknown, &malformed}) {
        EXPECT_EQ(r->status, 401) << r->body;
        EXPECT_EQ(code_of(*r), "INVALID_CREDENTIALS");
    }
    auto strip_trace = [](const std::string& body) {
        auto object = boost::json::parse(body).as_object();
        object.erase("traceId");
        return boost::json::serialize(object);
    };
    EXPECT_EQ(strip_trace(wrong.body), strip_trace(unknown.body));
    EXPECT_EQ(post("/api/v1/auth/login", {{"email", "known@example.com"}}).status, 400);
    EXPECT_EQ(post("/api/v1/auth/login", {{"password", kPassword}}).status, 400);
    EXPECT_EQ(request("POST", "/api/v1/auth/login", "[1]").status, 400);

    const auto events = auth_events();
    int failures = 0;
    for (const auto& [topic, payload] : events) {
        if (topic != "auth.login_failed") continue;
        ++failures;
        EXPECT_TRUE(payload.contains("emailHash"));
        EXPECT_EQ(boost::json::serialize(payload).find("wrong password!"), std::string::npos)
            << "never the password";
    }
    EXPECT_EQ(failures, 3);
}

TEST_F(Flow, RefreshRotatesAndAReusedTokenRevokesTheWholeFamily) {
    signup("rotor@example.com");
    const auto first = login("rotor@example.com");
    auto rotated = post("/api/v1/auth/refresh", {{"refreshToken", first.refresh}});
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    const auto second = boost::json::parse(rotated.body).as_object();
    const std::string second_refresh(second.at("refreshToken").as_string());
    const std::string second_access(second.at("accessToken").as_string());
    EXPECT_NE(second_refresh, first.refresh);
    EXPECT_EQ(get("/api/v1/auth/me", second_access).status, 200);

    auto reused = post("/api/v1/auth/refresh", {{"refreshToken", first.refresh}});
    EXPECT_EQ(reused.status, 401);
    EXPECT_EQ(code_of(reused), "TOKEN_REUSED");
    EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", second_refresh}}).status, 401)
        << "the newest token of the family is revoked too";
    EXPECT_EQ(get("/api/v1/auth/me", second_access).status, 401)
        << "and so are its access tokens, at once";
    EXPECT_EQ(get("/api/v1/auth/me", first.access).status, 401);

    const auto other = login("rotor@example.com");
    EXPECT_EQ(get("/api/v1/auth/me", other.access).status, 200)
        << "another session is not affected";

    bool reuse_event = false;
    for (const auto& [topic, payload] : auth_events())
        reuse_event = reuse_event || topic == "auth.token_reused";
    EXPECT_TRUE(reuse_event);
    EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", "rt_unknown"}}).status, 401);
    EXPECT_EQ(post("/api/v1/auth/refresh", boost::json::object{}).status, 400);
}

TEST_F(Flow, LogoutRevokesTheSessionAtOnce) {
    signup("leaver@example.com");
    const auto session = login("leaver@example.com");
    const auto other = login("leaver@example.com");
    auto out = request("POST", "/api/v1/auth/logout", "", session.access);
    EXPECT_EQ(out.status, 204) << out.body;
    EXPECT_EQ(get("/api/v1/auth/me", session.access).status, 401);
    EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", session.refresh}}).status, 401);
    EXPECT_EQ(get("/api/v1/auth/me", other.access).status, 200);
    EXPECT_EQ(request("POST", "/api/v1/auth/logout").status, 401);
}

TEST_F(Flow, ATokenThisHostIssuedSkipsVerificationButIsStillChecked) {
    signup("fresh@example.com");
    const auto session = login("fresh@example.com");
    const std::string hits = "admit_auth_token_cache_hits_total";
    const double before = metric_value(get("/metrics").body, hits);
    ASSERT_EQ(get("/api/v1/auth/me", session.access).status, 200);
    EXPECT_EQ(metric_value(get("/metrics").body, hits), before + 1)
        << "the first use was answered from the cache";
    std::string tampered = session.access;
    tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(get("/api/v1/auth/me", tampered).status, 401) << "only the identical token hits";
    ASSERT_EQ(request("POST", "/api/v1/auth/logout", "", session.access).status, 204);
    EXPECT_EQ(get("/api/v1/auth/me", session.access).status, 401)
        << "revocation is checked on cached tokens";
}

TEST_F(Flow, RevocationsThroughAnotherHostApplyHereThroughTheRevocationLog) {
    signup("roamer@example.com");
    const std::string suspended_id = signup("suspect@example.com");
    const auto session = login("roamer@example.com");
    const auto suspect = login("suspect@example.com");
    const auto boss = admin();
    ASSERT_EQ(get("/api/v1/auth/me", session.access).status,
              200);  // this host now reuses "allowed"
    ASSERT_EQ(get("/api/v1/auth/me", suspect.access).status, 200);

    admit::testing::AdmitdProcess other(ADMIT_ADMITD_BINARY,
                                        std::vector<std::string>{"--config", venue_.string()});
    auto other_port = other.wait_until_serving();
    ASSERT_TRUE(other_port.has_value()) << other.log();
    const uint16_t this_port = std::exchange(port_, *other_port);
    const auto out = request("POST", "/api/v1/auth/logout", "", session.access);
    const auto changed = request("PATCH", "/api/v1/admin/users/" + suspended_id,
                                 R"({"status":"suspended"})", boss.access);
    port_ = this_port;
    ASSERT_EQ(out.status, 204) << out.body;
    ASSERT_EQ(changed.status, 200) << changed.body;

    // The remembered verdicts live 60 s: only the log (read every 100 ms) can end them this soon.
    auto refused_within = [&](const std::string& token) {
        int status = 200;
        for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
             status == 200 && std::chrono::steady_clock::now() < deadline;) {
            status = get("/api/v1/auth/me", token).status;
            if (status == 200)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));  // paced poll
        }
        return status;
    };
    EXPECT_EQ(refused_within(session.access), 401) << "the logout";
    EXPECT_EQ(refused_within(suspect.access), 401) << "the suspension";
}

class QuickMaintenance : public AuthEndToEnd {
  protected:
    QuickMaintenance() : AuthEndToEnd(Options{.maintenance_interval_seconds = 1}) {}
};

TEST_F(QuickMaintenance, ARevocationThatNeverReachedRedisEndsRememberedVerdictsAtTheNextRebuild) {
    signup("offline@example.com");
    const auto session = login("offline@example.com");
    ASSERT_EQ(get("/api/v1/auth/me", session.access).status, 200);  // remembered as allowed
    {
        // As if Redis was down when the session was revoked: only PostgreSQL knows.
        pqxx::connection connection(storage_.pg_url());
        pqxx::work tx(connection);
        tx.exec(
            "UPDATE auth.sessions SET revoked_at = now(), revoked_reason = 'LOGOUT' WHERE user_id "
            "= "
            "(SELECT id FROM auth.users WHERE email = 'offline@example.com')");
        tx.commit();
    }
    int status = 200;
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         status == 200 && std::chrono::steady_clock::now() < deadline;) {
        status = get("/api/v1/auth/me", session.access).status;
        if (status == 200)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // paced poll
    }
    EXPECT_EQ(status, 401) << "the rebuild restored the block and logged it";
}

TEST_F(Flow, EveryAccountChangePublishesAnAuditEvent) {
    const std::string id = signup("audited@example.com");
    const auto session = login("audited@example.com");
    (void)post("/api/v1/auth/login",
               {{"email", "audited@example.com"}, {"password", "not the password"}});
    ASSERT_EQ(request("POST", "/api/v1/auth/logout", "", session.access).status, 204);
    const auto boss = admin();
    auto changed = request("PATCH", "/api/v1/admin/users/" + id, R"({"tier":"GOLD"})", boss.access);
    ASSERT_EQ(changed.status, 200) << changed.body;
    std::map<std::string, int> seen;
    for (const auto& [topic, payload] : auth_events()) {
        ++seen[topic];
        EXPECT_TRUE(payload.contains("actor")) << topic;
        EXPECT_TRUE(payload.contains("at")) << topic;
        if (topic == "auth.user_changed") {
            EXPECT_EQ(payload.at("before").at("tier"), "none");
            EXPECT_EQ(payload.at("after").at("tier"), "GOLD");
            EXPECT_EQ(payload.at("actor").as_string(), boss.user_id);
        }
    }
    EXPECT_EQ(seen["auth.user_signed_up"], 2);  // the user and the admin
    EXPECT_GE(seen["auth.login_succeeded"], 2);
    EXPECT_EQ(seen["auth.login_failed"], 1);
    EXPECT_EQ(seen["auth.user_changed"], 1);
    EXPECT_EQ(seen["auth.logged_out"], 1);
}

TEST_F(Flow, RevocationHoldsWhenRedisIsLostAndIsRebuiltAfterwards) {
    const std::string id = signup("flaky@example.com");
    signup("steady@example.com");
    const auto flaky = login("flaky@example.com");
    const auto steady = login("steady@example.com");
    const auto boss = admin();
    ASSERT_EQ(
        request("PATCH", "/api/v1/admin/users/" + id, R"({"status":"suspended"})", boss.access)
            .status,
        200);

    storage_.stop_redis();
    EXPECT_EQ(get("/api/v1/auth/me", flaky.access).status, 401)
        << "PostgreSQL answers: still suspended";
    EXPECT_EQ(get("/api/v1/auth/me", steady.access).status, 200);

    storage_.start_redis();  // empty: the revocation set is gone
    int status = 0;
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
         status != 200 && std::chrono::steady_clock::now() < deadline;) {
        status = get("/api/v1/auth/me", steady.access).status;  // reconnects, then rebuilds the set
    }
    EXPECT_EQ(status, 200);
    EXPECT_EQ(get("/api/v1/auth/me", flaky.access).status, 401)
        << "the rebuilt set still blocks the suspended user";
}

// The auth routes document their contracts in /openapi.json (a generated client signs up, logs in
// and refreshes through them): the operationIds, the required request fields and the token answer.
TEST_F(Flow, TheOpenApiDocumentDescribesTheAuthContracts) {
    auto r = get("/openapi.json");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = boost::json::parse(r.body);
    const auto& paths = doc.at("paths").as_object();
    auto operation = [&](const char* path, const char* method) -> const boost::json::object& {
        return paths.at(path).at(method).as_object();
    };
    auto names = [](const boost::json::value& list) {
        std::vector<std::string> out;
        for (const auto& v : list.as_array()) out.emplace_back(v.as_string());
        std::sort(out.begin(), out.end());
        return out;
    };
    const std::pair<const char*, const char*> routes[] = {
        {"/api/v1/auth/signup", "signUp"},
        {"/api/v1/auth/login", "logIn"},
        {"/api/v1/auth/refresh", "refreshToken"},
        {"/api/v1/auth/logout", "logOut"},
        {"/api/v1/admin/auth/signing-keys/rotate", "rotateSigningKey"}};
    for (const auto& [path, id] : routes) {
        EXPECT_EQ(operation(path, "post").at("operationId"), id) << path;
        EXPECT_EQ(operation(path, "post").at("x-contract"), true) << path;
    }
    EXPECT_EQ(operation("/api/v1/auth/me", "get").at("operationId"), "getMe");
    EXPECT_EQ(operation("/.well-known/jwks.json", "get").at("operationId"), "getJwks");
    EXPECT_EQ(operation("/api/v1/admin/users/{id}", "patch").at("operationId"), "changeUser");

    const auto& signup = operation("/api/v1/auth/signup", "post");
    const auto& signup_body = signup.at("requestBody").at("content").at("application/json");
    EXPECT_EQ(names(signup_body.at("schema").at("required")),
              (std::vector<std::string>{"email", "name", "password"}));
    const auto& created = signup.at("responses").at("201").at("content").at("application/json");
    EXPECT_EQ(
        names(created.at("schema").at("required")),
        (std::vector<std::string>{"createdAt", "email", "id", "name", "role", "status", "tier"}));
    EXPECT_TRUE(signup.at("responses").as_object().contains("409"));

    for (const char* path : {"/api/v1/auth/login", "/api/v1/auth/refresh"}) {
        const auto& tokens =
            operation(path, "post").at("responses").at("200").at("content").at("application/json");
        // The tokens are in the body unless the caller asked for cookies (tokenDelivery).
        EXPECT_EQ(names(tokens.at("schema").at("required")),
                  (std::vector<std::string>{"expiresIn", "tokenType", "user"}))
            << path;
        const auto& properties = tokens.at("schema").at("properties").as_object();
        EXPECT_TRUE(properties.contains("accessToken") && properties.contains("refreshToken"))
            << path;
        EXPECT_TRUE(operation(path, "post").at("responses").as_object().contains("401")) << path;
    }
    EXPECT_EQ(names(operation("/api/v1/auth/login", "post")
                        .at("requestBody")
                        .at("content")
                        .at("application/json")
                        .at("schema")
                        .at("required")),
              (std::vector<std::string>{"email", "password"}));
    EXPECT_TRUE(
        operation("/api/v1/auth/logout", "post").at("responses").as_object().contains("204"));
}

}  // namespace
}  // namespace admit::auth::testing

// Cookie sessions through a real admitd and the real auth plugin: login delivers HttpOnly,
// Secure, SameSite=Strict cookies and no token in the body; the cookie authenticates same-origin
// requests; a cookie-authenticated mutation from another origin, or without Origin, is refused
// 403; refresh works from the cookie and a replayed refresh cookie logs the session out; bearer
// clients are unaffected.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/admitd_process.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::web {
namespace {

constexpr const char* kAccess = "__Host-admit_at";
constexpr const char* kRefresh = "__Secure-admit_rt";

struct RawAnswer {
    int status = 0;
    std::vector<std::string> set_cookies;
    std::string body;
    std::string raw;
};

class CookieSession : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        storage_ = std::make_unique<admit::testing::IsolatedStorage>();
        ::unsetenv("ADMIT_WEB_TEST_KEY_UNSET");
        auto toml = admit::testing::venue_toml(
            {.plugins = {"auth"},
             .extra_toml = "[server.session_cookies]\naccess_token = \"__Host-admit_at\"\n"
                           "guarded = [\"__Secure-admit_rt\"]\n"
                           "[plugin.auth]\nissuer = \"admit-test\"\naudience = \"admit-test-api\"\n"
                           "signing_key_env = \"ADMIT_WEB_TEST_KEY_UNSET\"\n"
                           "session_cookies = true\n"},
            storage_.get());
        auto file = admit::testing::write_temp_file("venue.toml", toml);
        admitd_ = std::make_unique<admit::testing::AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", file});
        port_ = admitd_->wait_until_serving();
        ASSERT_TRUE(port_) << admitd_->log();
    }
    static void TearDownTestSuite() {
        admitd_.reset();
        storage_.reset();
    }
    void SetUp() override { ASSERT_TRUE(port_) << "admitd did not start"; }

    static std::string own_origin() { return "http://127.0.0.1:" + std::to_string(*port_); }

    // One request with exactly these headers (Host is always this server's).
    static RawAnswer send(const std::string& method, const std::string& target,
                          const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
        std::string bytes = method + " " + target +
                            " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(*port_) +
                            "\r\nConnection: close\r\n";
        for (const auto& [name, value] : headers) bytes += name + ": " + value + "\r\n";
        if (!body.empty()) {
            bytes +=
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n";
        }
        bytes += "\r\n" + body;
        RawAnswer answer;
        answer.raw = admit::testing::http_raw(*port_, bytes);
        if (answer.raw.size() > 12) answer.status = std::stoi(answer.raw.substr(9, 3));
        const auto head_end = answer.raw.find("\r\n\r\n");
        std::size_t line = answer.raw.find("\r\n");
        while (line != std::string::npos && line < head_end) {
            const auto next = answer.raw.find("\r\n", line + 2);
            std::string text = answer.raw.substr(line + 2, next - line - 2);
            const std::string prefix = "set-cookie:";
            std::string lower = text.substr(0, prefix.size());
            for (auto& c : lower) c = static_cast<char>(std::tolower(c));
            if (lower == prefix) {
                auto value = text.substr(prefix.size());
                answer.set_cookies.push_back(value.substr(value.find_first_not_of(' ')));
            }
            line = next;
        }
        if (head_end != std::string::npos) answer.body = answer.raw.substr(head_end + 4);
        return answer;
    }

    // The value a Set-Cookie line gives cookie `name`, or nullopt when none sets it.
    static std::optional<std::string> cookie_set(const RawAnswer& answer, const std::string& name) {
        for (const auto& line : answer.set_cookies) {
            if (line.starts_with(name + "=")) {
                return line.substr(name.size() + 1, line.find(';') - name.size() - 1);
            }
        }
        return std::nullopt;
    }

    static std::string signup_and_login_with_cookies(const std::string& email, RawAnswer* login) {
        auto signup = admit::testing::http_request(
            *port_, "POST", "/api/v1/auth/signup",
            R"({"email":")" + email + R"(","password":"long-enough-pw","name":"Sam"})",
            {{"Content-Type", "application/json"}});
        EXPECT_EQ(signup.status, 201) << signup.body;
        *login = send(
            "POST", "/api/v1/auth/login",
            R"({"email":")" + email + R"(","password":"long-enough-pw","tokenDelivery":"cookie"})",
            {{"Origin", own_origin()}});
        EXPECT_EQ(login->status, 200) << login->raw;
        return cookie_set(*login, kAccess).value_or("");
    }

    static inline std::unique_ptr<admit::testing::IsolatedStorage> storage_;
    static inline std::unique_ptr<admit::testing::AdmitdProcess> admitd_;
    static inline std::optional<uint16_t> port_;
};

TEST_F(CookieSession, LoginDeliversStrictHttpOnlyCookiesAndNoTokenInTheBody) {
    RawAnswer login;
    auto access = signup_and_login_with_cookies("cookie-a@example.com", &login);
    ASSERT_FALSE(access.empty()) << login.raw;
    EXPECT_EQ(login.body.find("accessToken"), std::string::npos) << login.body;
    EXPECT_EQ(login.body.find("refreshToken"), std::string::npos) << login.body;
    ASSERT_EQ(login.set_cookies.size(), 2u) << login.raw;
    for (const auto& line : login.set_cookies) {
        EXPECT_NE(line.find("; HttpOnly; Secure; SameSite=Strict"), std::string::npos) << line;
    }
    EXPECT_NE(login.set_cookies[0].find("Path=/;"), std::string::npos);
    EXPECT_NE(login.set_cookies[1].find("Path=/api/v1/auth;"), std::string::npos);
}

TEST_F(CookieSession, SameOriginCookieRequestIsAuthenticated) {
    RawAnswer login;
    auto access = signup_and_login_with_cookies("cookie-b@example.com", &login);
    auto me = send("GET", "/api/v1/auth/me", "", {{"Cookie", std::string(kAccess) + "=" + access}});
    EXPECT_EQ(me.status, 200) << me.raw;
    EXPECT_NE(me.body.find("cookie-b@example.com"), std::string::npos);
    auto anonymous = send("GET", "/api/v1/auth/me", "", {});
    EXPECT_EQ(anonymous.status, 401);
}

TEST_F(CookieSession, CookieMutationFromAnotherOriginOrWithoutOriginIsRefused) {
    RawAnswer login;
    auto access = signup_and_login_with_cookies("cookie-c@example.com", &login);
    const std::string cookie = std::string(kAccess) + "=" + access;
    auto foreign = send("POST", "/api/v1/auth/logout", "",
                        {{"Cookie", cookie}, {"Origin", "http://evil.example"}});
    EXPECT_EQ(foreign.status, 403) << foreign.raw;
    EXPECT_NE(foreign.body.find("\"code\":\"FORBIDDEN\""), std::string::npos);
    EXPECT_NE(foreign.body.find("\"traceId\""), std::string::npos);
    auto missing = send("POST", "/api/v1/auth/logout", "", {{"Cookie", cookie}});
    EXPECT_EQ(missing.status, 403) << missing.raw;
    // Neither refusal ended the session: the same-origin logout does, and clears the cookies.
    auto own =
        send("POST", "/api/v1/auth/logout", "", {{"Cookie", cookie}, {"Origin", own_origin()}});
    EXPECT_EQ(own.status, 204) << own.raw;
    EXPECT_EQ(cookie_set(own, kAccess), "");
    EXPECT_EQ(cookie_set(own, kRefresh), "");
    auto after = send("GET", "/api/v1/auth/me", "", {{"Cookie", cookie}});
    EXPECT_EQ(after.status, 401) << after.raw;
}

TEST_F(CookieSession, RefreshRotatesFromTheCookieAndAReplayLogsOut) {
    RawAnswer login;
    signup_and_login_with_cookies("cookie-d@example.com", &login);
    const auto refresh = cookie_set(login, kRefresh).value_or("");
    ASSERT_FALSE(refresh.empty());
    const std::string cookie = std::string(kRefresh) + "=" + refresh;
    auto rotated = send("POST", "/api/v1/auth/refresh", R"({"tokenDelivery":"cookie"})",
                        {{"Cookie", cookie}, {"Origin", own_origin()}});
    ASSERT_EQ(rotated.status, 200) << rotated.raw;
    EXPECT_EQ(rotated.body.find("refreshToken"), std::string::npos);
    const auto next = cookie_set(rotated, kRefresh).value_or("");
    EXPECT_FALSE(next.empty());
    EXPECT_NE(next, refresh);
    auto replay = send("POST", "/api/v1/auth/refresh", R"({"tokenDelivery":"cookie"})",
                       {{"Cookie", cookie}, {"Origin", own_origin()}});
    EXPECT_EQ(replay.status, 401) << replay.raw;
    EXPECT_NE(replay.body.find("TOKEN_REUSED"), std::string::npos);
    EXPECT_EQ(cookie_set(replay, kAccess), "");  // the browser forgets the dead session
    auto cross =
        send("POST", "/api/v1/auth/refresh", R"({"tokenDelivery":"cookie"})",
             {{"Cookie", std::string(kRefresh) + "=" + next}, {"Origin", "http://evil.example"}});
    EXPECT_EQ(cross.status, 403) << cross.raw;
}

TEST_F(CookieSession, RefreshWithoutTokenOrCookieIsUnauthenticated) {
    auto r = send("POST", "/api/v1/auth/refresh", R"({"tokenDelivery":"cookie"})",
                  {{"Origin", own_origin()}});
    EXPECT_EQ(r.status, 401) << r.raw;
    EXPECT_NE(r.body.find("UNAUTHENTICATED"), std::string::npos);
}

TEST_F(CookieSession, AnUnknownTokenDeliveryIsAnInvalidRequest) {
    auto r =
        send("POST", "/api/v1/auth/login",
             R"({"email":"x@example.com","password":"long-enough-pw","tokenDelivery":"jar"})", {});
    EXPECT_EQ(r.status, 400) << r.raw;
    EXPECT_NE(r.body.find("tokenDelivery"), std::string::npos);
}

TEST_F(CookieSession, BearerClientsAreUnaffected) {
    auto signup = admit::testing::http_request(
        *port_, "POST", "/api/v1/auth/signup",
        R"({"email":"bearer@example.com","password":"long-enough-pw","name":"Bo"})",
        {{"Content-Type", "application/json"}});
    ASSERT_EQ(signup.status, 201) << signup.body;
    auto login = send("POST", "/api/v1/auth/login",
                      R"({"email":"bearer@example.com","password":"long-enough-pw"})", {});
    ASSERT_EQ(login.status, 200) << login.raw;
    EXPECT_TRUE(login.set_cookies.empty());
    auto token = boost::json::parse(login.body).at("accessToken").as_string();
    // A bearer request with a foreign Origin and even a stray session cookie is not CSRF-checked.
    auto logout = send("POST", "/api/v1/auth/logout", "",
                       {{"Authorization", "Bearer " + std::string(token)},
                        {"Cookie", std::string(kAccess) + "=stale"},
                        {"Origin", "http://evil.example"}});
    EXPECT_EQ(logout.status, 204) << logout.raw;
}

}  // namespace
}  // namespace admit::web

namespace admit::web {
namespace {

// A venue without cookie sessions refuses to deliver tokens as cookies (400), so a browser client
// never silently gets tokens in a script-readable body when it asked for cookies.
TEST(CookieSessionOff, AskingForCookiesIsAnInvalidRequest) {
    admit::testing::IsolatedStorage storage;
    ::unsetenv("ADMIT_WEB_TEST_KEY_UNSET");
    auto file = admit::testing::write_temp_file(
        "venue.toml",
        admit::testing::venue_toml(
            {.plugins = {"auth"},
             .extra_toml = "[plugin.auth]\nissuer = \"admit-test\"\naudience = \"admit-test-api\"\n"
                           "signing_key_env = \"ADMIT_WEB_TEST_KEY_UNSET\"\n"},
            &storage));
    admit::testing::AdmitdProcess admitd(ADMIT_ADMITD_BINARY, {"--config", file});
    auto port = admitd.wait_until_serving();
    ASSERT_TRUE(port) << admitd.log();
    auto r = admit::testing::http_request(
        *port, "POST", "/api/v1/auth/login",
        R"({"email":"x@example.com","password":"long-enough-pw","tokenDelivery":"cookie"})",
        {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("cookies are not enabled"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace admit::web

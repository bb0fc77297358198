// CookieCredentials without a server: which token a request carries, and the CSRF rule.
#include <gtest/gtest.h>

#include "host/pipeline/cookie_credentials.hpp"

namespace admit::runtime {
namespace {

http::Request request(std::string method,
                      std::vector<std::pair<std::string, std::string>> headers) {
    http::Request r;
    r.method = std::move(method);
    r.path = "/api/v1/things";
    r.headers = std::move(headers);
    return r;
}

CookieCredentials cookies() {
    return CookieCredentials(
        CookieRules{"__Host-admit_at", {"__Secure-admit_rt"}, {"https://shop.example"}});
}

TEST(CookieValue, FindsANameAmongSeveral) {
    EXPECT_EQ(cookie_value("a=1; __Host-admit_at=tok; b=2", "__Host-admit_at"), "tok");
    EXPECT_EQ(cookie_value("a=1;b=\"q\"", "b"), "q");
    EXPECT_EQ(cookie_value("xa=1", "a"), std::nullopt);
    EXPECT_EQ(cookie_value("", "a"), std::nullopt);
}

TEST(CookieCredentials, ReadsTheAccessCookieOnlyWithoutAnAuthorizationHeader) {
    auto c = cookies();
    EXPECT_EQ(c.access_token(request("GET", {{"cookie", "__Host-admit_at=tok"}})), "tok");
    EXPECT_EQ(c.access_token(request(
                  "GET", {{"cookie", "__Host-admit_at=tok"}, {"authorization", "Bearer other"}})),
              std::nullopt);
    EXPECT_EQ(c.access_token(request("GET", {{"cookie", "__Host-admit_at="}})), std::nullopt);
    EXPECT_EQ(c.access_token(request("GET", {{"cookie", "other=tok"}})), std::nullopt);
}

TEST(CookieCredentials, OffWhenNoCookieIsConfigured) {
    CookieCredentials off(CookieRules{});
    EXPECT_EQ(off.access_token(request("GET", {{"cookie", "__Host-admit_at=tok"}})), std::nullopt);
    EXPECT_EQ(off.refuse_cross_site(request("POST", {{"cookie", "__Host-admit_at=tok"}})),
              std::nullopt);
}

TEST(CookieCredentials, RefusesACookieMutationFromAnotherOriginOrWithoutOrigin) {
    auto c = cookies();
    const std::pair<std::string, std::string> host{"host", "127.0.0.1:8080"};
    auto foreign = c.refuse_cross_site(request(
        "POST", {host, {"cookie", "__Host-admit_at=tok"}, {"origin", "https://evil.example"}}));
    ASSERT_TRUE(foreign);
    EXPECT_NE(foreign->find("https://evil.example"), std::string::npos);
    EXPECT_TRUE(c.refuse_cross_site(request("DELETE", {host, {"cookie", "__Host-admit_at=tok"}})));
    // The refresh cookie alone is a session cookie too.
    EXPECT_TRUE(c.refuse_cross_site(request(
        "POST", {host, {"cookie", "__Secure-admit_rt=r"}, {"origin", "http://127.0.0.1:9999"}})));
}

TEST(CookieCredentials, AllowsItsOwnOriginTrustedOriginsSafeMethodsAndBearerClients) {
    auto c = cookies();
    const std::pair<std::string, std::string> host{"host", "127.0.0.1:8080"};
    const std::pair<std::string, std::string> cookie{"cookie", "__Host-admit_at=tok"};
    EXPECT_FALSE(
        c.refuse_cross_site(request("POST", {host, cookie, {"origin", "http://127.0.0.1:8080"}})));
    EXPECT_FALSE(c.refuse_cross_site(
        request("PATCH", {host, cookie, {"origin", "https://127.0.0.1:8080"}})));
    EXPECT_FALSE(
        c.refuse_cross_site(request("POST", {host, cookie, {"origin", "https://shop.example"}})));
    EXPECT_FALSE(c.refuse_cross_site(request("GET", {host, cookie})));
    EXPECT_FALSE(c.refuse_cross_site(request(
        "POST",
        {host, cookie, {"authorization", "Bearer t"}, {"origin", "https://evil.example"}})));
    EXPECT_FALSE(c.refuse_cross_site(request("POST", {host, {"cookie", "unrelated=1"}})));
}

}  // namespace
}  // namespace admit::runtime

// Token lifetimes on the manual host clock, and concurrent use of one refresh token.
#include "auth_e2e_fixture.hpp"

#include <future>

namespace admit::auth::testing {
namespace {

class Lifetimes : public AuthEndToEnd {
  protected:
    Lifetimes() : AuthEndToEnd(Options{.manual_clock = true}) {}
};

TEST_F(Lifetimes, AccessTokensExpireAfterTenMinutesAndRefreshTokensAfterFourteenDays) {
    signup("mortal@example.com");
    const auto session = login("mortal@example.com");
    (void)admin();
    advance_clock(599);
    EXPECT_EQ(get("/api/v1/auth/me", session.access).status, 200);
    advance_clock(12);  // past 600 s + 10 s leeway
    EXPECT_EQ(get("/api/v1/auth/me", session.access).status, 401);

    auto refreshed = post("/api/v1/auth/refresh", {{"refreshToken", session.refresh}});
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;
    const auto body = boost::json::parse(refreshed.body).as_object();
    EXPECT_EQ(get("/api/v1/auth/me", std::string(body.at("accessToken").as_string())).status, 200);

    advance_clock(14 * 86400 + 1);
    auto stale = post("/api/v1/auth/refresh",
                      {{"refreshToken", std::string(body.at("refreshToken").as_string())}});
    EXPECT_EQ(stale.status, 401) << stale.body;
    EXPECT_EQ(code_of(stale), "UNAUTHENTICATED");
}

TEST_F(Lifetimes, TwoConcurrentUsesOfOneRefreshTokenCountAsReuse) {
    signup("racer@example.com");
    const auto session = login("racer@example.com");
    auto use = [&] { return post("/api/v1/auth/refresh", {{"refreshToken", session.refresh}}); };
    auto a = std::async(std::launch::async, use);
    auto b = std::async(std::launch::async, use);
    const auto first = a.get();
    const auto second = b.get();
    const auto& winner = first.status == 200 ? first : second;
    const auto& loser = first.status == 200 ? second : first;
    ASSERT_EQ(winner.status, 200) << first.body << " / " << second.body;
    EXPECT_EQ(loser.status, 401);
    EXPECT_EQ(code_of(loser), "TOKEN_REUSED");
    const std::string next(boost::json::parse(winner.body).at("refreshToken").as_string());
    EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", next}}).status, 401)
        << "the family is revoked";
}

}  // namespace
}  // namespace admit::auth::testing

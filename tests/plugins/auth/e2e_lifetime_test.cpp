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

// Rotation cannot keep a family alive forever: 30 days after its login it ends, however often
// its refresh token was used within the 14 days each one lives.
TEST_F(Lifetimes, ARefreshFamilyEndsThirtyDaysAfterItsLogin) {
    signup("longlived@example.com");
    auto refresh = login("longlived@example.com").refresh;
    (void)admin();
    for (int day : {13, 26}) {
        advance_clock(13 * 86400);
        auto rotated = post("/api/v1/auth/refresh", {{"refreshToken", refresh}});
        ASSERT_EQ(rotated.status, 200) << "day " << day << ": " << rotated.body;
        refresh = std::string(boost::json::parse(rotated.body).at("refreshToken").as_string());
    }
    advance_clock(4 * 86400 + 1);  // day 30 and a second: the family is over
    auto ended = post("/api/v1/auth/refresh", {{"refreshToken", refresh}});
    EXPECT_EQ(ended.status, 401) << ended.body;
    EXPECT_EQ(code_of(ended), "UNAUTHENTICATED");
}

// A user has at most 10 open sessions: the eleventh login revokes the oldest at once, its access
// token included.
TEST_F(Lifetimes, TheEleventhLoginRevokesTheOldestSession) {
    signup("many@example.com");
    const auto oldest = login("many@example.com");
    ASSERT_EQ(get("/api/v1/auth/me", oldest.access).status, 200);
    std::vector<Session> later;
    for (int i = 0; i < 10; ++i) later.push_back(login("many@example.com"));
    EXPECT_EQ(get("/api/v1/auth/me", oldest.access).status, 401);
    EXPECT_EQ(post("/api/v1/auth/refresh", {{"refreshToken", oldest.refresh}}).status, 401);
    for (const auto& session : later) EXPECT_EQ(get("/api/v1/auth/me", session.access).status, 200);
    int limited = 0;
    for (const auto& [topic, payload] : auth_events()) {
        if (topic == "auth.logged_out" && payload.contains("reason") &&
            payload.at("reason") == "SESSION_LIMIT")
            ++limited;
    }
    EXPECT_EQ(limited, 1);
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

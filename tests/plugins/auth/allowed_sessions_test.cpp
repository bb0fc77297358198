// AllowedSessions without servers: what a remembered verdict answers, for how long, and that a
// revocation on this host wins over a check that was in flight when it happened.
#include "allowed_sessions.hpp"

#include <gtest/gtest.h>

#include <string>

namespace admit::auth {
namespace {

using namespace std::chrono_literals;
const AllowedSessions::Clock::time_point t0{};

TEST(AllowedSessions, AnswersTheSameSessionUserAndVersionWithinTheWindowOnly) {
    AllowedSessions sessions(1000ms, 100);
    sessions.trust_forever();
    EXPECT_FALSE(sessions.allowed("ses_1", "usr_1", 3, t0));
    sessions.remember("ses_1", "usr_1", 3, t0, sessions.epoch());
    EXPECT_TRUE(sessions.allowed("ses_1", "usr_1", 3, t0 + 999ms));
    EXPECT_FALSE(sessions.allowed("ses_1", "usr_1", 3, t0 + 1000ms)) << "the window is over";
    EXPECT_FALSE(sessions.allowed("ses_1", "usr_1", 4, t0 + 1ms)) << "another token version";
    EXPECT_FALSE(sessions.allowed("ses_1", "usr_2", 3, t0 + 1ms)) << "another user";
    EXPECT_FALSE(sessions.allowed("ses_2", "usr_1", 3, t0 + 1ms)) << "another session";
}

TEST(AllowedSessions, ForgettingASessionOrEverythingTakesEffectAtOnce) {
    AllowedSessions sessions(60'000ms, 100);
    sessions.trust_forever();
    sessions.remember("ses_1", "usr_1", 0, t0, sessions.epoch());
    sessions.remember("ses_2", "usr_2", 0, t0, sessions.epoch());
    sessions.forget_session("ses_1");
    EXPECT_FALSE(sessions.allowed("ses_1", "usr_1", 0, t0 + 1ms));
    EXPECT_TRUE(sessions.allowed("ses_2", "usr_2", 0, t0 + 1ms));
    sessions.forget_all();
    EXPECT_FALSE(sessions.allowed("ses_2", "usr_2", 0, t0 + 1ms));
    EXPECT_EQ(sessions.size(), 0u);
}

TEST(AllowedSessions, AVerdictReachedBeforeARevocationIsNotStoredAfterIt) {
    AllowedSessions sessions(60'000ms, 100);
    sessions.trust_forever();
    const uint64_t before = sessions.epoch();  // a check starts and reads "not revoked"...
    sessions.forget_session("ses_1");          // ...the session is revoked meanwhile...
    sessions.remember("ses_1", "usr_1", 0, t0, before);  // ...and its stale verdict arrives
    EXPECT_FALSE(sessions.allowed("ses_1", "usr_1", 0, t0 + 1ms));
    sessions.remember("ses_1", "usr_1", 0, t0, sessions.epoch());
    EXPECT_TRUE(sessions.allowed("ses_1", "usr_1", 0, t0 + 1ms))
        << "a check begun after it is kept";
}

TEST(AllowedSessions, StaysWithinItsCapacityAndAZeroWindowKeepsNothing) {
    AllowedSessions bounded(60'000ms, 32);
    bounded.trust_forever();
    for (int i = 0; i < 1000; ++i) {
        bounded.remember("ses_" + std::to_string(i), "usr", 0, t0, bounded.epoch());
    }
    EXPECT_LE(bounded.size(), 32u);
    EXPECT_TRUE(bounded.allowed("ses_999", "usr", 0, t0))
        << "the newest entry survives a full shard";

    AllowedSessions off(0ms, 100);
    off.trust_forever();
    off.remember("ses_1", "usr_1", 0, t0, off.epoch());
    EXPECT_FALSE(off.allowed("ses_1", "usr_1", 0, t0));
    EXPECT_EQ(off.size(), 0u);
}

TEST(AllowedSessions, AnswersOnlyWhileTheRevocationLogVouchesForIt) {
    AllowedSessions sessions(60'000ms, 100);
    sessions.remember("ses_1", "usr_1", 0, t0, sessions.epoch());
    EXPECT_FALSE(sessions.allowed("ses_1", "usr_1", 0, t0 + 1ms))
        << "never trusted before the log was read";
    sessions.trust_until(t0 + 300ms);
    EXPECT_TRUE(sessions.allowed("ses_1", "usr_1", 0, t0 + 299ms));
    EXPECT_FALSE(sessions.allowed("ses_1", "usr_1", 0, t0 + 300ms))
        << "the log was not read again in time";
    sessions.trust_until(t0 + 600ms);
    EXPECT_TRUE(sessions.allowed("ses_1", "usr_1", 0, t0 + 500ms));
}

}  // namespace
}  // namespace admit::auth

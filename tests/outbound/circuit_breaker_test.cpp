// CircuitBreaker's state machine on a test clock: URR's numbers (window 10, 50% failures, 80% slow
// calls over 3 s, open 10 s, 3 trial calls).
#include "host/outbound/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace admit::outbound {
namespace {

using namespace std::chrono_literals;

struct TestClock {
    std::chrono::steady_clock::time_point now{};
    CircuitBreaker::Clock fn() {
        return [this] { return now; };
    }
};

void calls(CircuitBreaker& breaker, int n, bool failed, std::chrono::milliseconds took = 10ms) {
    for (int i = 0; i < n; ++i) {
        auto permit = breaker.try_acquire();
        ASSERT_TRUE(permit.has_value());
        breaker.record(*permit, failed, took);
    }
}

TEST(CircuitBreaker, StaysClosedUntilTheWindowIsFullAndOpensAtHalfFailures) {
    TestClock clock;
    CircuitBreaker breaker(BreakerOptions{}, clock.fn());
    calls(breaker, 5, false);
    calls(breaker, 4, true);  // 9 calls, 4 failed: window not full
    EXPECT_EQ(breaker.state(), BreakerState::closed);
    calls(breaker, 1, true);  // 10 calls, 5 failed = 50%
    EXPECT_EQ(breaker.state(), BreakerState::open);
    EXPECT_FALSE(breaker.try_acquire().has_value());
}

TEST(CircuitBreaker, FortyPercentFailuresKeepItClosed) {
    TestClock clock;
    CircuitBreaker breaker(BreakerOptions{}, clock.fn());
    calls(breaker, 6, false);
    calls(breaker, 4, true);
    calls(breaker, 10, false);
    EXPECT_EQ(breaker.state(), BreakerState::closed);
}

TEST(CircuitBreaker, OpensAtEightyPercentSlowCalls) {
    TestClock clock;
    CircuitBreaker breaker(BreakerOptions{}, clock.fn());
    calls(breaker, 2, false, 100ms);
    calls(breaker, 7, false, 3001ms);
    EXPECT_EQ(breaker.state(), BreakerState::closed);  // 9 calls
    calls(breaker, 1, false, 3001ms);                  // 8 of 10 slow
    EXPECT_EQ(breaker.state(), BreakerState::open);
}

TEST(CircuitBreaker, HalfOpensAfterTenSecondsWithThreeTrialsThatCloseIt) {
    TestClock clock;
    CircuitBreaker breaker(BreakerOptions{}, clock.fn());
    calls(breaker, 10, true);
    ASSERT_EQ(breaker.state(), BreakerState::open);
    clock.now += 9999ms;
    EXPECT_EQ(breaker.state(), BreakerState::open);
    clock.now += 1ms;
    EXPECT_EQ(breaker.state(), BreakerState::half_open);
    auto a = breaker.try_acquire();
    auto b = breaker.try_acquire();
    auto c = breaker.try_acquire();
    ASSERT_TRUE(a && b && c);
    EXPECT_FALSE(breaker.try_acquire().has_value());  // a fourth caller waits for the verdict
    breaker.record(*a, false, 10ms);
    breaker.record(*b, false, 10ms);
    EXPECT_EQ(breaker.state(), BreakerState::half_open);
    breaker.record(*c, true, 10ms);  // 1 of 3 failed: under 50%
    EXPECT_EQ(breaker.state(), BreakerState::closed);
    calls(breaker, 9, true);  // a fresh window: 9 calls are not enough to judge
    EXPECT_EQ(breaker.state(), BreakerState::closed);
}

TEST(CircuitBreaker, FailingTrialsOpenItAgain) {
    TestClock clock;
    CircuitBreaker breaker(BreakerOptions{}, clock.fn());
    calls(breaker, 10, true);
    clock.now += 10s;
    ASSERT_EQ(breaker.state(), BreakerState::half_open);
    calls(breaker, 1, false);
    calls(breaker, 2, true);
    EXPECT_EQ(breaker.state(), BreakerState::open);
    clock.now += 10s;
    EXPECT_EQ(breaker.state(), BreakerState::half_open);
}

TEST(CircuitBreaker, AnOutcomeFromAnEarlierPeriodIsIgnored) {
    TestClock clock;
    CircuitBreaker breaker(BreakerOptions{}, clock.fn());
    auto late = breaker.try_acquire();
    ASSERT_TRUE(late);
    calls(breaker, 10, true);
    clock.now += 10s;
    ASSERT_EQ(breaker.state(), BreakerState::half_open);
    breaker.record(*late, true, 10ms);  // admitted while closed: does not count as a trial
    calls(breaker, 3, false);
    EXPECT_EQ(breaker.state(), BreakerState::closed);
}

}  // namespace
}  // namespace admit::outbound

// ReadinessProbe: a healthy answer is reused for its interval, a failing one only briefly, so a
// dependency that came back shows on /readyz at once.
#include "host/admin/readiness_probe.hpp"

#include <gtest/gtest.h>

namespace admit::runtime {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

struct CountingChecks {
    int calls = 0;
    bool ok = true;
    std::vector<ReadinessCheck> operator()() {
        ++calls;
        return {{"postgres", ok, ok ? "reachable" : "connection refused"}};
    }
};

TEST(ReadinessProbe, AHealthyAnswerIsReusedForTheWholeInterval) {
    CountingChecks checks;
    ReadinessProbe probe([&] { return checks(); }, hours(1), milliseconds(0));
    EXPECT_TRUE(probe.current().front().ok);
    EXPECT_TRUE(probe.current().front().ok);
    EXPECT_TRUE(probe.current().front().ok);
    EXPECT_EQ(checks.calls, 1);
}

TEST(ReadinessProbe, AFailingAnswerIsCheckedAgainSoTheReturnShowsAtOnce) {
    CountingChecks checks;
    checks.ok = false;
    ReadinessProbe probe([&] { return checks(); }, hours(1), milliseconds(0));
    EXPECT_FALSE(probe.current().front().ok);
    EXPECT_FALSE(probe.current().front().ok);
    EXPECT_EQ(checks.calls, 2);  // not kept for the hour of the healthy interval
    checks.ok = true;            // the dependency is back
    EXPECT_TRUE(probe.current().front().ok);
    EXPECT_EQ(checks.calls, 3);
    EXPECT_TRUE(probe.current().front().ok);
    EXPECT_EQ(checks.calls, 3);  // healthy again: reused
}

TEST(ReadinessProbe, TheFailingIntervalIsNeverLongerThanTheHealthyOne) {
    CountingChecks checks;
    checks.ok = false;
    ReadinessProbe probe([&] { return checks(); }, milliseconds(0), hours(1));
    (void)probe.current();
    (void)probe.current();
    EXPECT_EQ(checks.calls, 2);
}

}  // namespace
}  // namespace admit::runtime

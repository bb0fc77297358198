// ReadinessProbe: a healthy answer is reused for its interval, a failing one only briefly, so a
// dependency that came back shows on /readyz at once.
#include "host/admin/readiness_probe.hpp"
#include "tests/support/log_capture.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

namespace admit::runtime {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

struct CountingChecks {
    std::atomic<int> calls = 0;
    std::atomic<bool> ok = true;
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

// The log says why an instance is out of the balancer: a check's reason when it fails, again
// when the reason changes while it still fails (PostgreSQL refusing, then starting up; the event
// relay, then a delivery worker), and its return; never once per refresh.
TEST(ReadinessProbe, EachNewReasonOfAFailingCheckIsLoggedOnce) {
    testsupport::LogCapture log;
    std::string detail = "connection refused";
    bool ok = false;
    ReadinessProbe probe(
        [&] {
            return std::vector<ReadinessCheck>{{"postgres", ok, detail}};
        },
        hours(1), milliseconds(0));
    (void)probe.current();
    (void)probe.current();
    detail = "the database system is starting up";
    (void)probe.current();
    (void)probe.current();
    ok = true;
    detail = "reachable";
    (void)probe.current();
    (void)probe.current();
    EXPECT_EQ(log.count("readiness: postgres is not ready: connection refused"), 1u);
    EXPECT_EQ(
        log.count("readiness: postgres is still not ready: the database system is starting up"),
        1u);
    EXPECT_EQ(log.count("readiness: postgres is ready again"), 1u);
    EXPECT_EQ(log.count("readiness:"), 3u);
}

// In the background mode /readyz is answered from memory on the I/O thread: current() never
// runs the checks, and the refresher notices a dependency coming back on its own.
TEST(ReadinessProbe, RefreshingInTheBackgroundAnswersFromMemory) {
    CountingChecks checks;
    checks.ok = false;
    ReadinessProbe probe([&] { return checks(); }, hours(1), milliseconds(1));
    probe.start_refreshing();
    EXPECT_GE(checks.calls.load(), 1);  // the first answer exists before start_refreshing returns
    checks.ok = true;                   // the dependency is back: the refresher sees it
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!probe.current().front().ok && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    EXPECT_TRUE(probe.current().front().ok);
    probe.stop_refreshing();
    const int after_stop = checks.calls.load();
    EXPECT_TRUE(probe.current().front().ok);  // on demand again: healthy, reused for the hour
    EXPECT_EQ(checks.calls.load(), after_stop);
}

}  // namespace
}  // namespace admit::runtime

// RepeatedWarning: a failure that repeats every attempt is logged when it starts, when its text
// changes, and when it ends, not once per attempt.
#include "host/observe/repeated_warning.hpp"

#include <gtest/gtest.h>

#include "tests/support/log_capture.hpp"

namespace admit::observe {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

TEST(RepeatedWarning, AnOutageIsOneLineWhenItStartsAndOneWhenItEnds) {
    testsupport::LogCapture log;
    RepeatedWarning warning("periodic job sweep: working again", hours(1));
    warning.succeeded();  // no failure yet: nothing to say
    for (int i = 0; i < 50; ++i) warning.failed("periodic job sweep: PostgreSQL unreachable");
    EXPECT_EQ(log.count("PostgreSQL unreachable"), 1u);
    warning.succeeded();
    EXPECT_EQ(log.count("info periodic job sweep: working again after 50 failed attempts"), 1u);
    warning.succeeded();
    warning.failed("periodic job sweep: PostgreSQL unreachable");  // the next outage
    EXPECT_EQ(log.count("PostgreSQL unreachable"), 2u);
    EXPECT_EQ(log.lines().size(), 3u);
}

TEST(RepeatedWarning, ANewReasonIsLoggedAtOnce) {
    testsupport::LogCapture log;
    RepeatedWarning warning("events: relay: working again", hours(1));
    warning.failed("relay pass failed: connection refused");
    warning.failed("relay pass failed: connection refused");
    warning.failed("relay pass failed: the database system is starting up");
    EXPECT_EQ(log.count("connection refused"), 1u);
    EXPECT_EQ(log.count("starting up"), 1u);
}

TEST(RepeatedWarning, ALongOutageIsRepeatedOncePerIntervalWithHowManyWereNotLogged) {
    testsupport::LogCapture log;
    RepeatedWarning warning("delayed jobs: working again", milliseconds(20));
    for (int i = 0; i < 3; ++i) warning.failed("delayed jobs: claiming failed");
    EXPECT_EQ(log.count("claiming failed"), 1u);
    // Failing on, as the claimer does, until the interval has passed and the line is repeated.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (log.count("more like it") == 0 && std::chrono::steady_clock::now() < give_up)
        warning.failed("delayed jobs: claiming failed");
    ASSERT_EQ(log.count("more like it"), 1u);
    EXPECT_EQ(log.count("claiming failed"), 2u);
}

}  // namespace
}  // namespace admit::observe

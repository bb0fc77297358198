// sdk::PeriodicThread: passes on time, a stop that does not wait out the period, and a throwing
// pass that neither ends the thread nor the process.
#include <gtest/gtest.h>

#include <admit/sdk/periodic_thread.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

namespace admit::sdk {
namespace {

using namespace std::chrono_literals;

/// Polls `condition` until it holds or 10 s pass.
template <class Condition>
bool await(Condition condition) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

TEST(PeriodicThread, RunsAPassAtStartAndThenEveryPeriod) {
    std::atomic<int> passes{0};
    PeriodicThread thread(5ms, [&] { ++passes; });
    thread.start();
    thread.start();  // already running: no second thread
    EXPECT_TRUE(await([&] { return passes.load() >= 3; }));
    thread.stop();
    const int after_stop = passes.load();
    thread.stop();  // idempotent
    EXPECT_EQ(passes.load(), after_stop);
}

TEST(PeriodicThread, StopDoesNotWaitOutThePeriod) {
    std::atomic<int> passes{0};
    {
        PeriodicThread hourly(std::chrono::hours(1), [&] { ++passes; });
        hourly.start();
        ASSERT_TRUE(await([&] { return passes.load() == 1; }));
        hourly.stop();  // the thread sleeps for an hour: stop() wakes it (or this test hangs)
    }
    EXPECT_EQ(passes.load(), 1);
    {
        PeriodicThread later(
            std::chrono::hours(1), [&] { ++passes; }, {}, PeriodicThread::FirstPass::after_period);
        later.start();
    }  // the destructor stops it before its first pass
    EXPECT_EQ(passes.load(), 1);
}

TEST(PeriodicThread, AThrowingPassIsReportedAndTheNextPassRunsOnTime) {
    std::atomic<int> passes{0};
    std::mutex mutex;
    std::string reported;
    PeriodicThread thread(
        5ms,
        [&] {
            if (++passes == 1) throw std::runtime_error("boom");
            if (passes == 2) throw 42;  // not even a std::exception
        },
        [&](const std::string& what) {
            std::lock_guard lock(mutex);
            reported += what + ";";
        });
    thread.start();
    EXPECT_TRUE(await([&] { return passes.load() >= 3; }));
    thread.stop();
    std::lock_guard lock(mutex);
    EXPECT_EQ(reported, "boom;unknown exception;");
}

}  // namespace
}  // namespace admit::sdk

// JobScheduler against the private PostgreSQL of the test run, with a manual clock.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "host/jobs/job_scheduler.hpp"
#include "host/store/pg_transaction.hpp"
#include "tests/store/pg_test_helpers.hpp"

namespace admit::jobs {
namespace {

using namespace std::chrono_literals;
using store::testing::CollectingSink;
using store::testing::Params;
using store::testing::test_pg_options;
using SystemTime = std::chrono::system_clock::time_point;

// A clock the test moves by hand; thread-safe.
class ManualClock {
  public:
    explicit ManualClock(SystemTime start) : now_(start) {}
    SystemTime now() const {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void advance(std::chrono::milliseconds by) {
        std::lock_guard lock(mutex_);
        now_ += by;
    }
    JobClock fn() {
        return [this] { return now(); };
    }

  private:
    mutable std::mutex mutex_;
    SystemTime now_;
};

class JobSchedulerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // Job names are global; a unique prefix keeps parallel test processes apart.
        prefix_ = testsupport::fresh_schema_name("jobs") + ".";
        JobScheduler migrator(pool_, {});
        auto migrated = migrator.migrate();
        ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    }
    void TearDown() override {
        (void)store::execute(pool_, "DELETE FROM admit.jobs WHERE starts_with(name, $1)",
                             Params{prefix_}, nullptr);
        (void)store::execute(pool_, "DELETE FROM admit.job_schedule WHERE starts_with(name, $1)",
                             Params{prefix_}, nullptr);
        testsupport::reset_database();
    }

    std::vector<std::vector<std::string>> jobs_rows(const std::string& name) {
        CollectingSink sink;
        auto r = store::execute(pool_,
                                "SELECT status, attempts::text, coalesce(last_error, '') FROM "
                                "admit.jobs WHERE name = $1",
                                Params{name}, &sink);
        EXPECT_TRUE(r.ok());
        return sink.rows;
    }

    store::PgPool pool_{test_pg_options(6)};
    std::string prefix_;
    // A fixed start: Monday 2030-01-07 00:00:00 UTC, far from the real time.
    ManualClock clock_{SystemTime{std::chrono::seconds{1'894'060'800}}};
};

TEST_F(JobSchedulerTest, DelayedJobRunsOnceAtItsTime) {
    JobScheduler scheduler(pool_, {}, clock_.fn());
    const std::string name = prefix_ + "mail";
    std::vector<std::string> payloads;
    ASSERT_TRUE(scheduler
                    .register_handler(name,
                                      [&](std::string_view payload) -> Status {
                                          payloads.emplace_back(payload);
                                          return {};
                                      })
                    .ok());

    auto id = scheduler.enqueue(nullptr, name, clock_.now() + 10min, R"({"order":7})");
    ASSERT_TRUE(id.ok()) << id.error().message;

    EXPECT_EQ(scheduler.run_due(), 0u);
    clock_.advance(10min - 1ms);
    EXPECT_EQ(scheduler.run_due(), 0u);
    clock_.advance(1ms);
    EXPECT_EQ(scheduler.run_due(), 1u);
    EXPECT_EQ(scheduler.run_due(), 0u);
    clock_.advance(1h);
    EXPECT_EQ(scheduler.run_due(), 0u);
    EXPECT_EQ(payloads, (std::vector<std::string>{R"({"order":7})"}));
    EXPECT_TRUE(jobs_rows(name).empty());
}

TEST_F(JobSchedulerTest, JobEnqueuedInsideARolledBackTransactionNeverRuns) {
    JobScheduler scheduler(pool_, {}, clock_.fn());
    const std::string name = prefix_ + "tx";
    int runs = 0;
    ASSERT_TRUE(scheduler
                    .register_handler(name,
                                      [&](std::string_view) -> Status {
                                          ++runs;
                                          return {};
                                      })
                    .ok());

    auto rolled_back = store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        auto id = scheduler.enqueue(&tx, name, clock_.now(), "a");
        if (!id) return id.error();
        return Error{ErrorCode::ABORTED, "roll back"};
    });
    ASSERT_FALSE(rolled_back.ok());
    auto committed = store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        auto id = scheduler.enqueue(&tx, name, clock_.now(), "b");
        return id ? Status{} : Status{id.error()};
    });
    ASSERT_TRUE(committed.ok()) << committed.error().message;
    EXPECT_EQ(scheduler.run_due(), 1u);
    EXPECT_EQ(runs, 1);
}

TEST_F(JobSchedulerTest, UnknownHandlerIsRefusedAtEnqueue) {
    JobScheduler scheduler(pool_, {}, clock_.fn());
    auto id = scheduler.enqueue(nullptr, prefix_ + "nobody", clock_.now(), "");
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.error().code, "NOT_FOUND");
}

TEST_F(JobSchedulerTest, FailingJobIsRetriedWithBackoffThenParked) {
    JobOptions options;
    options.max_attempts = 3;
    options.retry_backoff = 1s;
    JobScheduler scheduler(pool_, options, clock_.fn());
    const std::string name = prefix_ + "flaky";
    int attempts = 0;
    ASSERT_TRUE(scheduler
                    .register_handler(
                        name,
                        [&](std::string_view) -> Status {
                            ++attempts;
                            if (attempts == 2) throw std::runtime_error("exploded");
                            return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, "mail server down"};
                        })
                    .ok());
    ASSERT_TRUE(scheduler.enqueue(nullptr, name, clock_.now(), "x").ok());

    EXPECT_EQ(scheduler.run_due(), 1u);  // attempt 1 fails, retry after 1 s
    EXPECT_EQ(scheduler.run_due(), 0u);
    EXPECT_EQ(jobs_rows(name), (std::vector<std::vector<std::string>>{
                                   {"pending", "1", "DEPENDENCY_UNAVAILABLE: mail server down"}}));
    clock_.advance(1s);
    EXPECT_EQ(scheduler.run_due(), 1u);  // attempt 2 throws, retry after 2 s
    clock_.advance(1s);
    EXPECT_EQ(scheduler.run_due(), 0u);
    clock_.advance(1s);
    EXPECT_EQ(scheduler.run_due(), 1u);  // attempt 3 fails: parked
    clock_.advance(1h);
    EXPECT_EQ(scheduler.run_due(), 0u);
    EXPECT_EQ(attempts, 3);
    EXPECT_EQ(jobs_rows(name), (std::vector<std::vector<std::string>>{
                                   {"parked", "3", "DEPENDENCY_UNAVAILABLE: mail server down"}}));
}

TEST_F(JobSchedulerTest, PeriodicJobRunsAtItsIntervalOnOneOfTwoSchedulersAtATime) {
    const std::string name = prefix_ + "sweep";
    std::atomic<int> running{0};
    std::atomic<int> max_running{0};
    std::atomic<int> runs{0};
    auto job = [&](std::string_view) -> Status {
        const int now_running = ++running;
        int seen = max_running.load();
        while (now_running > seen && !max_running.compare_exchange_weak(seen, now_running)) {
        }
        std::this_thread::sleep_for(50ms);  // a run that takes time, so the two would overlap
        ++runs;
        --running;
        return {};
    };
    // Two instances: separate pools, like separate hosts.
    store::PgPool other_pool(test_pg_options(2));
    JobScheduler first(pool_, {}, clock_.fn());
    JobScheduler second(other_pool, {}, clock_.fn());
    ASSERT_TRUE(first.register_periodic(name, 1h, job).ok());
    ASSERT_TRUE(second.register_periodic(name, 1h, job).ok());

    const auto both_run_due = [&] {
        std::atomic<std::size_t> total{0};
        std::thread a([&] {
            for (int i = 0; i < 3; ++i) total += first.run_due();
        });
        std::thread b([&] {
            for (int i = 0; i < 3; ++i) total += second.run_due();
        });
        a.join();
        b.join();
        return total.load();
    };
    EXPECT_EQ(both_run_due(), 1u);  // due at start: exactly one run
    clock_.advance(30min);
    EXPECT_EQ(both_run_due(), 0u);  // not due again yet, on either instance
    clock_.advance(30min);
    EXPECT_EQ(both_run_due(), 1u);
    EXPECT_EQ(runs.load(), 2);
    EXPECT_EQ(max_running.load(), 1);
}

TEST_F(JobSchedulerTest, EachDelayedJobRunsOnceAcrossTwoSchedulers) {
    const std::string name = prefix_ + "once";
    constexpr int kJobs = 20;
    std::mutex seen_mutex;
    std::map<std::string, int> seen;
    auto handler = [&](std::string_view payload) -> Status {
        std::lock_guard lock(seen_mutex);
        ++seen[std::string(payload)];
        return {};
    };
    store::PgPool other_pool(test_pg_options(2));
    JobScheduler first(pool_, {}, clock_.fn());
    JobScheduler second(other_pool, {}, clock_.fn());
    ASSERT_TRUE(first.register_handler(name, handler).ok());
    ASSERT_TRUE(second.register_handler(name, handler).ok());
    for (int i = 0; i < kJobs; ++i) {
        ASSERT_TRUE(first.enqueue(nullptr, name, clock_.now(), std::to_string(i)).ok());
    }
    std::atomic<std::size_t> total{0};
    std::thread a([&] { total += first.run_due(); });
    std::thread b([&] { total += second.run_due(); });
    a.join();
    b.join();
    EXPECT_EQ(total.load(), static_cast<std::size_t>(kJobs));
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(kJobs));
    for (const auto& [payload, count] : seen) EXPECT_EQ(count, 1) << payload;
}

TEST_F(JobSchedulerTest, StartedSchedulerRunsDueJobsOnItsThreads) {
    JobOptions options;
    options.poll_interval = 20ms;
    JobScheduler scheduler(pool_, options, clock_.fn());
    const std::string name = prefix_ + "bg";
    std::atomic<int> runs{0};
    ASSERT_TRUE(scheduler
                    .register_handler(name,
                                      [&](std::string_view) -> Status {
                                          ++runs;
                                          return {};
                                      })
                    .ok());
    ASSERT_TRUE(scheduler.start().ok());
    EXPECT_EQ(
        scheduler.register_handler(prefix_ + "late", [](std::string_view) -> Status { return {}; })
            .error()
            .code,
        "STATE");
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(scheduler.enqueue(nullptr, name, clock_.now(), std::to_string(i)).ok());
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (runs.load() < 5 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    scheduler.stop();
    EXPECT_EQ(runs.load(), 5);
    EXPECT_TRUE(jobs_rows(name).empty());
}

}  // namespace
}  // namespace admit::jobs

// JobScheduler: periodic jobs and durable delayed jobs, coordinated through PostgreSQL so that
// several admitd instances can share one database.
//
// - Periodic: each job has a row in admit.job_schedule (next_run_at). A run claims the row with
//   FOR UPDATE SKIP LOCKED and holds it while the job runs, so a periodic job runs on one
//   instance at a time, and next_run_at spaces runs across instances.
// - Delayed: enqueue() inserts into admit.jobs (inside the caller's transaction when given). A
//   due row is claimed with FOR UPDATE SKIP LOCKED and held while its handler runs; success
//   deletes it, failure schedules a retry with exponential backoff, and after max_attempts the
//   row is parked (status 'parked', last_error kept). If a host dies mid-run the row lock goes
//   away with its connection and the job runs again: delivery is at least once.
//
// Thread-safety: register_* before start() (they fail with "STATE" afterwards); enqueue(),
// run_due() and stop() are thread-safe. Job functions run on the scheduler's threads (or the
// caller of run_due()) and must be thread-safe; an exception from one counts as a failure.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "host/common/result.hpp"
#include "host/observe/repeated_warning.hpp"
#include "host/store/migrations.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::jobs {

using JobClock = std::function<std::chrono::system_clock::time_point()>;
using JobFn = std::function<Status(std::string_view payload)>;

struct JobOptions {
    std::chrono::milliseconds poll_interval{1000};  // real time between passes of each thread
    std::size_t threads = 2;
    std::uint32_t max_attempts = 5;                   // of a delayed job, then it is parked
    std::chrono::milliseconds retry_backoff{10'000};  // before the 2nd attempt; doubles after
    std::chrono::milliseconds retry_backoff_max{3'600'000};
    std::size_t max_delayed_runs_per_pass = 100;
};

// The tables of the scheduler, applied by JobScheduler::migrate() as owner "admit_jobs" in
// schema "admit".
std::vector<store::Migration> job_migrations();

class JobScheduler {
  public:
    // The pool must outlive the scheduler. `clock` gives "now" for every scheduling decision
    // (tests pass a manual clock); empty means std::chrono::system_clock::now.
    JobScheduler(store::PgPool& pool, JobOptions options, JobClock clock = {});
    ~JobScheduler();  // stops
    JobScheduler(const JobScheduler&) = delete;
    JobScheduler& operator=(const JobScheduler&) = delete;

    // A job run every `interval` on one instance at a time. Names are global across instances.
    Status register_periodic(const std::string& name, std::chrono::milliseconds interval, JobFn fn);
    // The handler of delayed jobs called `name`.
    Status register_handler(const std::string& name, JobFn fn);
    // What register_periodic (periodic) or register_handler would answer for `name`, without
    // registering anything.
    Status check_registration(const std::string& name, bool periodic) const;

    // Durably schedules a run of handler `name` at `run_at` with `payload` (text, no NUL bytes).
    // With tx, the job exists only if tx commits; without, it is inserted on its own. Returns
    // the job id. "NOT_FOUND" when no handler of that name is registered here.
    Result<std::int64_t> enqueue(pqxx::transaction_base* tx, const std::string& name,
                                 std::chrono::system_clock::time_point run_at,
                                 const std::string& payload);

    // Creates/updates the scheduler's tables (idempotent). start() calls it.
    Status migrate();

    // Runs what is due now (by the clock): each due periodic job, then up to
    // max_delayed_runs_per_pass delayed jobs. Returns how many job runs happened here (failed
    // runs included). Database errors are logged and end the pass early.
    std::size_t run_due();

    // Migrates, then starts `threads` threads that call run_due() every poll_interval.
    Status start();
    // Stops the threads after their current job; idempotent.
    void stop();

  private:
    struct Periodic {
        std::chrono::milliseconds interval;
        JobFn fn;
        // Its scheduling failures (the database gone): one line per outage, not per attempt.
        std::unique_ptr<observe::RepeatedWarning> scheduling_failed;
    };
    bool run_periodic(const std::string& name, const Periodic& job);
    bool run_one_delayed();
    Status ensure_schedule_rows();
    std::chrono::milliseconds retry_delay(std::uint32_t attempts_made) const;
    void thread_main();

    store::PgPool& pool_;
    JobOptions options_;
    JobClock clock_;

    std::map<std::string, Periodic> periodic_;
    std::map<std::string, JobFn> handlers_;
    std::string handler_names_;  // PostgreSQL text[] literal of handlers_' names
    observe::RepeatedWarning claiming_failed_{"delayed jobs: working again"};

    mutable std::mutex mutex_;  // guards the members below
    std::condition_variable wake_;
    bool started_ = false;
    bool stopping_ = false;
    bool migrated_ = false;
    bool schedule_rows_ready_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace admit::jobs

#include "host/jobs/job_scheduler.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "host/store/pg_errors.hpp"
#include "host/store/pg_transaction.hpp"

namespace admit::jobs {
namespace {

// A timestamptz from microseconds since the epoch, exactly (no floating point).
constexpr const char* kAtMicros = "('epoch'::timestamptz + $1::bigint * interval '1 microsecond')";

std::int64_t micros(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::string text_array_literal(const std::vector<std::string>& items) {
    std::string literal = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) literal += ',';
        literal += '"';
        for (char c : items[i]) {
            if (c == '"' || c == '\\') literal += '\\';
            literal += c;
        }
        literal += '"';
    }
    return literal + "}";
}

// Runs a job function; exceptions become Error{ErrorCode::INTERNAL}.
Status run_guarded(const JobFn& fn, std::string_view payload) {
    try {
        return fn(payload);
    } catch (const std::exception& e) {
        return Error{ErrorCode::INTERNAL, std::string("job threw: ") + e.what()};
    } catch (...) {
        return Error{ErrorCode::INTERNAL, "job threw an unknown exception"};
    }
}

}  // namespace

std::vector<store::Migration> job_migrations() {
    return {
        {1, "job tables", R"sql(
CREATE TABLE job_schedule (
    name             text PRIMARY KEY,
    interval_ms      bigint      NOT NULL CHECK (interval_ms > 0),
    next_run_at      timestamptz NOT NULL,
    last_started_at  timestamptz,
    last_finished_at timestamptz,
    last_error       text
);
CREATE TABLE jobs (
    id          bigserial PRIMARY KEY,
    name        text        NOT NULL,
    payload     text        NOT NULL,
    run_at      timestamptz NOT NULL,
    status      text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'parked')),
    attempts    integer     NOT NULL DEFAULT 0,
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'pending';
)sql"},
    };
}

JobScheduler::JobScheduler(store::PgPool& pool, JobOptions options, JobClock clock)
    : pool_(pool), options_(options), clock_(std::move(clock)) {
    if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
    if (options_.threads == 0) options_.threads = 1;
    if (options_.max_attempts == 0) options_.max_attempts = 1;
}

JobScheduler::~JobScheduler() { stop(); }

Status JobScheduler::register_periodic(const std::string& name, std::chrono::milliseconds interval,
                                       JobFn fn) {
    std::lock_guard lock(mutex_);
    if (started_)
        return Error{ErrorCode::STATE,
                     "periodic job '" + name + "' registered after the scheduler started"};
    if (interval.count() <= 0)
        return Error{ErrorCode::INVALID_ARGUMENT,
                     "periodic job '" + name + "' needs an interval > 0"};
    if (!fn)
        return Error{ErrorCode::INVALID_ARGUMENT, "periodic job '" + name + "' has no function"};
    auto warning =
        std::make_unique<observe::RepeatedWarning>("periodic job " + name + ": working again");
    if (!periodic_.emplace(name, Periodic{interval, std::move(fn), std::move(warning)}).second) {
        return Error{ErrorCode::CONFLICT, "periodic job '" + name + "' is already registered"};
    }
    schedule_rows_ready_ = false;
    return {};
}

Status JobScheduler::check_registration(const std::string& name, bool periodic) const {
    std::lock_guard lock(mutex_);
    if (started_)
        return Error{ErrorCode::STATE, "job '" + name + "' registered after the scheduler started"};
    const bool taken = periodic ? periodic_.contains(name) : handlers_.contains(name);
    if (taken) return Error{ErrorCode::CONFLICT, "job '" + name + "' is already registered"};
    return {};
}

Status JobScheduler::register_handler(const std::string& name, JobFn fn) {
    std::lock_guard lock(mutex_);
    if (started_)
        return Error{ErrorCode::STATE,
                     "job handler '" + name + "' registered after the scheduler started"};
    if (!fn)
        return Error{ErrorCode::INVALID_ARGUMENT, "job handler '" + name + "' has no function"};
    if (!handlers_.emplace(name, std::move(fn)).second) {
        return Error{ErrorCode::CONFLICT, "job handler '" + name + "' is already registered"};
    }
    std::vector<std::string> names;
    for (const auto& entry : handlers_) names.push_back(entry.first);
    handler_names_ = text_array_literal(names);
    return {};
}

Status JobScheduler::migrate() {
    {
        std::lock_guard lock(mutex_);
        if (migrated_) return {};
    }
    Status status = store::apply_migrations(pool_, "admit_jobs", "admit", job_migrations());
    if (status) {
        std::lock_guard lock(mutex_);
        migrated_ = true;
    }
    return status;
}

Result<std::int64_t> JobScheduler::enqueue(pqxx::transaction_base* tx, const std::string& name,
                                           std::chrono::system_clock::time_point run_at,
                                           const std::string& payload) {
    {
        std::lock_guard lock(mutex_);
        if (handlers_.find(name) == handlers_.end()) {
            return Error{ErrorCode::NOT_FOUND, "no job handler named '" + name + "'"};
        }
    }
    const std::string sql =
        std::string("INSERT INTO admit.jobs (name, payload, run_at) VALUES ($2, $3, ") + kAtMicros +
        ") RETURNING id";
    const auto insert = [&](pqxx::transaction_base& t) {
        return t.exec_params1(sql, micros(run_at), name, payload)[0].as<std::int64_t>();
    };
    try {
        if (tx != nullptr) return insert(*tx);
        auto lease = pool_.acquire();
        if (!lease) return lease.error();
        pqxx::nontransaction alone(lease->conn());
        return insert(alone);
    } catch (...) {
        return store::map_pg_exception(std::current_exception());
    }
}

Status JobScheduler::ensure_schedule_rows() {
    {
        std::lock_guard lock(mutex_);
        if (schedule_rows_ready_ || periodic_.empty()) return {};
    }
    const auto now = micros(clock_());
    Status status = store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        for (const auto& [name, job] : periodic_) {
            tx.exec_params(
                std::string("INSERT INTO admit.job_schedule (name, interval_ms, next_run_at) "
                            "VALUES ($2, $3, ") +
                    kAtMicros +
                    ") ON CONFLICT (name) DO UPDATE SET interval_ms = EXCLUDED.interval_ms",
                now, name, static_cast<long long>(job.interval.count()));
        }
        return {};
    });
    if (status) {
        std::lock_guard lock(mutex_);
        schedule_rows_ready_ = true;
    }
    return status;
}

// Claims the schedule row if it is due and not being run elsewhere; runs the job holding it.
bool JobScheduler::run_periodic(const std::string& name, const Periodic& job) {
    bool ran = false;
    const auto now = clock_();
    Status status = store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        const auto claimed = tx.exec_params(
            std::string("SELECT 1 FROM admit.job_schedule WHERE name = $2 AND next_run_at <= ") +
                kAtMicros + " FOR UPDATE SKIP LOCKED",
            micros(now), name);
        if (claimed.empty()) return {};
        tx.exec_params(std::string("UPDATE admit.job_schedule SET last_started_at = ") + kAtMicros +
                           " WHERE name = $2",
                       micros(now), name);
        ran = true;
        Status result = run_guarded(job.fn, {});
        if (!result)
            spdlog::warn("periodic job {} failed: {}: {}", name, result.error().code,
                         result.error().message);
        const auto finished = clock_();
        const auto next = std::max(now + job.interval, finished);
        tx.exec_params(
            std::string("UPDATE admit.job_schedule SET next_run_at = ") + kAtMicros +
                ", last_finished_at = ('epoch'::timestamptz + $3::bigint * interval '1 "
                "microsecond')"
                ", last_error = $4 WHERE name = $2",
            micros(next), name, micros(finished),
            result ? nullptr
                   : (std::string(admit::name(result.error().code)) + ": " + result.error().message)
                         .c_str());
        return {};
    });
    if (!status)
        job.scheduling_failed->failed("periodic job " + name +
                                      ": scheduling failed: " + status.error().message);
    else
        job.scheduling_failed->succeeded();
    return ran;
}

std::chrono::milliseconds JobScheduler::retry_delay(std::uint32_t attempts_made) const {
    auto delay = options_.retry_backoff;
    for (std::uint32_t i = 1; i < attempts_made && delay < options_.retry_backoff_max; ++i)
        delay *= 2;
    return std::min(delay, options_.retry_backoff_max);
}

// Claims one due delayed job this instance has a handler for and runs it holding the row.
bool JobScheduler::run_one_delayed() {
    bool ran = false;
    const auto now = clock_();
    Status status = store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        const auto claimed = tx.exec_params(
            std::string("SELECT id, name, payload, attempts FROM admit.jobs WHERE status = "
                        "'pending' AND run_at <= ") +
                kAtMicros +
                " AND name = ANY($2::text[]) ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
            micros(now), handler_names_);
        if (claimed.empty()) return {};
        const auto id = claimed[0][0].as<std::int64_t>();
        const auto name = claimed[0][1].as<std::string>();
        const auto payload = claimed[0][2].as<std::string>();
        const auto attempts = claimed[0][3].as<std::uint32_t>() + 1;
        ran = true;

        Status result = run_guarded(handlers_.at(name), payload);
        if (result) {
            tx.exec_params("DELETE FROM admit.jobs WHERE id = $1", id);
            return {};
        }
        const std::string error =
            std::string(admit::name(result.error().code)) + ": " + result.error().message;
        if (attempts >= options_.max_attempts) {
            spdlog::error("job {} #{} parked after {} attempts: {}", name, id, attempts, error);
            tx.exec_params(
                "UPDATE admit.jobs SET status = 'parked', attempts = $2, last_error = $3, "
                "updated_at = now() "
                "WHERE id = $1",
                id, attempts, error);
        } else {
            const auto retry_at = now + retry_delay(attempts);
            spdlog::warn("job {} #{} failed (attempt {} of {}), retry in {} ms: {}", name, id,
                         attempts, options_.max_attempts, retry_delay(attempts).count(), error);
            tx.exec_params(std::string("UPDATE admit.jobs SET run_at = ") + kAtMicros +
                               ", attempts = $3, last_error = $4, updated_at = now() WHERE id = $2",
                           micros(retry_at), id, attempts, error);
        }
        return {};
    });
    if (!status) {
        claiming_failed_.failed("delayed jobs: claiming or recording failed: " +
                                status.error().message);
        return false;
    }
    claiming_failed_.succeeded();
    return ran;
}

std::size_t JobScheduler::run_due() {
    if (Status rows = ensure_schedule_rows(); !rows) {
        spdlog::warn("periodic jobs: cannot prepare schedule: {}", rows.error().message);
        return 0;
    }
    std::size_t runs = 0;
    for (const auto& [name, job] : periodic_) {
        if (run_periodic(name, job)) ++runs;
    }
    if (handlers_.empty()) return runs;
    for (std::size_t i = 0; i < options_.max_delayed_runs_per_pass; ++i) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
        }
        if (!run_one_delayed()) break;
        ++runs;
    }
    return runs;
}

Status JobScheduler::start() {
    if (Status migrated = migrate(); !migrated) return migrated;
    std::lock_guard lock(mutex_);
    if (started_) return Error{ErrorCode::STATE, "job scheduler already started"};
    started_ = true;
    stopping_ = false;
    for (std::size_t i = 0; i < options_.threads; ++i)
        threads_.emplace_back([this] { thread_main(); });
    return {};
}

void JobScheduler::thread_main() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        run_due();
        lock.lock();
        wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
    }
}

void JobScheduler::stop() {
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        threads.swap(threads_);
    }
    wake_.notify_all();
    for (auto& t : threads) t.join();
}

}  // namespace admit::jobs

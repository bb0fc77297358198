#include "host/events/delivery_dispatcher.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_set>
#include <utility>

#include "host/events/background_priority.hpp"
#include "host/events/event_sql.hpp"
#include "host/store/pg_transaction.hpp"
#include "host/store/sql_exec.hpp"

namespace admit::events {

namespace {

// The dispatcher's poll statements, built at their first use (no work in a static initializer)
// and then shared: exec_prepared takes them by reference, so no poll builds a string.
struct Statements {
    // The lowest-seq rows of one share above `$6` (the share's floor, 0: all) that are runnable:
    // a row is excluded when it, or an earlier row of its key, is waiting for a retry (a failed
    // attempt, attempts > 0, and next_attempt_at in the future: event_deliveries_retrying,
    // migration 3).
    std::string runnable =
        "SELECT seq, event_id, topic, key, payload, attempts, " +
        timestamptz_to_micros("published_at") +
        " AS published_us "
        "FROM admit.event_deliveries d "
        "WHERE subscriber = $1 AND mod(key_hash::bigint & 2147483647, $2) = $3 AND seq > $6 "
        "AND NOT EXISTS (SELECT 1 FROM admit.event_deliveries w WHERE w.subscriber = "
        "d.subscriber "
        "  AND w.key = d.key AND w.seq <= d.seq AND w.attempts > 0 AND w.next_attempt_at > " +
        micros_to_timestamptz(4) +
        ") "
        "ORDER BY seq LIMIT $5";
    // The lowest seq of the share's rows that wait for a retry (a floor must stay below it).
    std::string lowest_retrying =
        "SELECT min(seq) FROM admit.event_deliveries WHERE subscriber = $1 AND attempts > 0 "
        "AND mod(key_hash::bigint & 2147483647, $2) = $3";
    std::string next_due =
        "SELECT " + timestamptz_to_micros("min(next_attempt_at)") +
        " FROM admit.event_deliveries WHERE subscriber = $1 AND attempts > 0 "
        "AND mod(key_hash::bigint & 2147483647, $2) = $3 AND next_attempt_at > " +
        micros_to_timestamptz(4);
};
const Statements& statements() {
    static const Statements built;
    return built;
}

// How long a floor may be used before a pass starts from the bottom of the queue again.
constexpr auto kFloorLifetime = std::chrono::seconds(1);

}  // namespace

DeliveryDispatcher::DeliveryDispatcher(DeliveryContext context,
                                       std::shared_ptr<const DeliveryExecutor> executor)
    : context_(context), executor_(std::move(executor)) {
    for (std::size_t i = 0; i < shares(); ++i) shares_.push_back(std::make_unique<Share>());
}

std::size_t DeliveryDispatcher::shares() const {
    return std::max<std::size_t>(1, context_.options.workers_per_subscriber);
}

DeliveryDispatcher::~DeliveryDispatcher() { stop(); }

void DeliveryDispatcher::start() {
    for (std::size_t i = 0; i < shares(); ++i) {
        workers_.emplace_back([this, i] {
            run_this_thread_in_background(context_.delivery_nice);
            run_worker(i);
        });
    }
}

void DeliveryDispatcher::wake() {
    // Rows of unknown seqs (a replayed dead letter, the Kafka consumer's queue): every worker
    // starts from the bottom.
    {
        std::lock_guard lock(mutex_);
        for (auto& share : shares_) share->woken_from = 0;
    }
    for (std::size_t i = 0; i < shares_.size(); ++i) wake_share(i);
}

void DeliveryDispatcher::wake_for_key_hash(std::int64_t masked_key_hash, std::int64_t first_seq) {
    // The same split as the workers' queries: mod(key_hash & 2147483647, shares).
    const std::size_t share = static_cast<std::size_t>(masked_key_hash) % shares_.size();
    {
        std::lock_guard lock(mutex_);
        shares_[share]->woken_from = std::min(shares_[share]->woken_from, first_seq);
    }
    wake_share(share);
}

void DeliveryDispatcher::wake_share(std::size_t share) {
    {
        std::lock_guard lock(mutex_);
        ++shares_[share]->generation;
    }
    shares_[share]->wakeup.notify_one();
}

void DeliveryDispatcher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    for (auto& share : shares_) share->wakeup.notify_all();
    for (auto& worker : workers_) worker.join();
    workers_.clear();
}

void DeliveryDispatcher::run_worker(std::size_t share) {
    for (;;) {
        std::uint64_t generation = 0;
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            generation = shares_[share]->generation;
        }
        std::int64_t next_due_us = 0;
        const std::size_t handled = drain_once(share, next_due_us);
        if (handled > 0) continue;
        std::unique_lock lock(mutex_);
        if (stopping_) return;
        if (shares_[share]->generation != generation) continue;
        auto timeout = context_.options.delivery_poll;
        if (!healthy_.load()) timeout = std::min(timeout, context_.options.backoff_max);
        if (next_due_us > 0) {
            const auto until_due =
                std::chrono::milliseconds((next_due_us - to_micros(context_.clock())) / 1000 + 1);
            timeout = std::clamp(until_due, std::chrono::milliseconds(1), timeout);
        }
        shares_[share]->wakeup.wait_for(
            lock, timeout, [&] { return stopping_ || shares_[share]->generation != generation; });
    }
}

std::size_t DeliveryDispatcher::drain_once(std::size_t share, std::int64_t& next_due_us) {
    std::vector<QueuedEvent> runnable;
    const std::int64_t now_us = to_micros(context_.clock());
    const std::size_t shares = this->shares();
    const std::string& subscriber = executor_->subscriber();
    Share& mine = *shares_[share];
    const auto started = std::chrono::steady_clock::now();
    if (mine.floor > 0 && started - mine.floor_since >= kFloorLifetime) mine.floor = 0;
    {
        // Rows this host's relay queued since the last pass began: start below them.
        std::lock_guard lock(mutex_);
        if (mine.woken_from <= mine.floor)
            mine.floor = std::max<std::int64_t>(0, mine.woken_from - 1);
        mine.woken_from = INT64_MAX;
    }
    if (mine.floor == 0) mine.floor_since = started;
    std::int64_t floor = mine.floor;
    const Status status = store::run_transaction(context_.pool, [&](pqxx::work& tx) -> Status {
        runnable.clear();
        if (floor > 0) {
            const auto retrying =
                store::exec_prepared(tx, statements().lowest_retrying, subscriber, shares, share);
            if (!retrying.empty() && !retrying[0][0].is_null())
                floor = std::min(floor, retrying[0][0].as<std::int64_t>() - 1);
        }
        const auto rows = store::exec_prepared(tx, statements().runnable, subscriber, shares, share,
                                               now_us, context_.options.relay_batch, floor);
        for (const auto& row : rows) {
            runnable.push_back(QueuedEvent{row["seq"].as<std::int64_t>(), event_from_row(row)});
        }
        if (runnable.empty()) {
            const auto due =
                store::exec_prepared(tx, statements().next_due, subscriber, shares, share, now_us);
            if (!due.empty() && !due[0][0].is_null()) next_due_us = due[0][0].as<std::int64_t>();
        }
        return {};
    });
    // A pass that found the pool busy is load, not an outage (starved_by_pool).
    healthy_.store(status.ok() || starved_by_pool(status, context_.counters));
    if (!status) {
        mine.floor = 0;
        next_due_us = now_us + std::chrono::duration_cast<std::chrono::microseconds>(
                                   context_.options.backoff_initial)
                                   .count();
        return 0;
    }
    // The next floor: the highest seq below which every row of this pass is gone (handled,
    // a duplicate, or parked). A row left behind (retrying, not reached) keeps the floor below
    // it; a row skipped because its key is blocked comes after the row that blocked it.
    std::int64_t gone_through = floor;
    bool gap = false;
    auto account = [&](std::int64_t seq, bool gone) {
        if (gap) return;
        if (gone) {
            gone_through = seq;
        } else {
            gap = true;
        }
    };
    // Rows come in seq order and include every earlier row of their key, so running them in order
    // (batches in order, events of a batch in order) keeps per-key order; once a key's event is
    // not handled, its later rows wait for the next pass.
    const std::size_t batch_size = std::max<std::size_t>(1, context_.options.delivery_batch);
    std::unordered_set<std::string> blocked;
    std::size_t handled = 0;
    std::size_t next = 0;
    while (next < runnable.size()) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) break;
        }
        std::vector<QueuedEvent> batch;
        for (; next < runnable.size() && batch.size() < batch_size; ++next) {
            if (blocked.count(runnable[next].event.key) == 0) batch.push_back(runnable[next]);
        }
        if (batch.size() > 1 && executor_->run_queued_batch(batch)) {
            handled += batch.size();
            for (const auto& queued : batch) account(queued.seq, true);
            continue;
        }
        // One event, or a batch that rolled back: one transaction per event, as ever.
        for (const auto& queued : batch) {
            if (blocked.count(queued.event.key) > 0) continue;  // after its key's gap
            const auto outcome = executor_->run_queued(queued.seq, queued.event);
            if (outcome == DeliveryOutcome::unavailable) {
                healthy_.store(false);
                mine.floor = 0;
                return handled;
            }
            if (outcome == DeliveryOutcome::retrying) blocked.insert(queued.event.key);
            account(queued.seq,
                    outcome != DeliveryOutcome::retrying && outcome != DeliveryOutcome::blocked);
            ++handled;
        }
    }
    mine.floor = next == runnable.size() ? std::max<std::int64_t>(0, gone_through) : 0;
    return handled;
}

}  // namespace admit::events

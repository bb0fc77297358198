// DeliveryDispatcher: drains one subscriber's queue (event_deliveries) with a few worker threads.
//
// Keys are split between workers by hashtext(key) (stored as key_hash), so one key is only ever
// handled by one worker. Each worker repeatedly takes the lowest-seq rows of its share, leaving
// out every row of a key from the first row that waits for a retry (next_attempt_at in the
// future) on, and runs them in seq order. A key whose oldest event is being retried therefore
// blocks only that key for this subscriber; other keys and other subscribers proceed. A handled
// or parked event's row is deleted, which unblocks the next event of the key.
//
// Trap avoided: a queue table's handled rows are deleted, and until VACUUM their index entries
// stay at the low end of the seq order, so under a backlog each pass walked tens of thousands of
// dead entries before the first live row (25 ms a pass with 45,000 rows queued; the general-
// admission sale of scripts/bench flash-sale). A worker that has run every row of a pass keeps a
// floor, the highest seq below which every row it was given is gone (handled, a duplicate, or
// parked), and its next pass starts above it. The floor never passes a row that waits for a
// retry (checked at the start of each pass) or that the worker skipped, so per-key order holds.
// Rows this host queues lower it at once: the relay's wake carries their lowest seq, and a
// replayed dead letter or the Kafka consumer's queue wakes every worker from the bottom. It is
// dropped after a failure and at least once a second, so a row that appears below it otherwise
// (queued by another host, whose commits come out of seq order) waits at most about a second, as
// other hosts' rows wait for delivery_poll anyway. Before, only a full pass kept the floor: under a
// sale's steady stream, where each pass finds a few dozen new rows, every pass walked the dead
// entries from the bottom again (12.6 ms a pass, 40% of PostgreSQL's statement time in the
// general-admission sale).
//
// Thread-safety: wake() and stop() may be called from any thread. start() once; stop() joins the
// workers after their current delivery (in-flight handlers finish, nothing is abandoned mid-tx).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "host/events/delivery_executor.hpp"

namespace admit::events {

class DeliveryDispatcher {
  public:
    DeliveryDispatcher(DeliveryContext context, std::shared_ptr<const DeliveryExecutor> executor);
    ~DeliveryDispatcher();
    DeliveryDispatcher(const DeliveryDispatcher&) = delete;
    DeliveryDispatcher& operator=(const DeliveryDispatcher&) = delete;

    void start();
    // New rows may be queued, of any seq: workers look again now, from the bottom of the queue,
    // instead of at their next poll.
    void wake();
    // New rows of keys with this hashtext (masked to 31 bits) are queued, the lowest of them at
    // `first_seq`: only the worker that owns them looks again, from below that seq.
    void wake_for_key_hash(std::int64_t masked_key_hash, std::int64_t first_seq);
    void stop();

    // False after the last query of any worker failed (database unreachable); a worker that
    // found no free pooled connection (POOL_EXHAUSTED) is busy, not failed, and leaves it true.
    bool healthy() const { return healthy_.load(); }

  private:
    void run_worker(std::size_t share);
    // Runs runnable rows of one share; returns how many were run and, when none was runnable,
    // when the earliest waiting row becomes due (unix us, 0 when none).
    std::size_t drain_once(std::size_t share, std::int64_t& next_due_us);

    DeliveryContext context_;
    std::shared_ptr<const DeliveryExecutor> executor_;
    std::vector<std::thread> workers_;
    struct Share {
        std::condition_variable wakeup;
        std::uint64_t generation = 0;  // guarded by mutex_
        // The share's worker thread only: see the class comment.
        std::int64_t floor = 0;
        std::chrono::steady_clock::time_point floor_since{};
        // The lowest seq this host's relay queued for the share since its worker's last pass
        // began (INT64_MAX: none); guarded by mutex_.
        std::int64_t woken_from = INT64_MAX;
    };
    void wake_share(std::size_t share);
    std::size_t shares() const;

    std::mutex mutex_;
    std::vector<std::unique_ptr<Share>> shares_;  // one per worker; built in the constructor
    bool stopping_ = false;
    std::atomic<bool> healthy_{true};
};

}  // namespace admit::events

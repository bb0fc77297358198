// JoinLog: appends joins to the durable log (queue.joins) in batches, as the reservation claim
// batcher does. A writer thread takes every join queued so far (up to max_batch) and writes them
// in ONE transaction (a multi-row upsert plus the queue.joined outbox events); under load batches
// grow by themselves, so the commit cost is shared. A re-join after leaving (LEFT, EXPIRED, or an
// ADMITTED place whose entry token expired) starts a new round of the same row.
// Thread-safe: submit() from any thread; start()/stop() from one.
#pragma once

#include <admit/sdk.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace admit::queue {

struct JoinRecord {
    std::string schedule_id;
    std::string user_id;
    std::string join_id;
    bool prequeue = false;
    int64_t seq = 0;  ///< order after the pre-queue (0 for pre-queue joins)
    int64_t joined_us = 0;
};

class JoinLog {
  public:
    using Log = std::function<void(const std::string&)>;

    JoinLog(sdk::Database& db, std::size_t max_batch, Log log_error)
        : db_(db), max_batch_(max_batch == 0 ? 1 : max_batch), log_error_(std::move(log_error)) {}
    ~JoinLog() { stop(); }
    JoinLog(const JoinLog&) = delete;
    JoinLog& operator=(const JoinLog&) = delete;

    void start();
    /// Writes what is queued, then joins the writer. Idempotent.
    void stop();

    /// Queues a join; the future is true once its batch committed, false if it failed (or after
    /// stop()).
    std::future<bool> submit(JoinRecord record);

    uint64_t batches() const;

  private:
    struct Pending {
        JoinRecord record;
        std::promise<bool> done;
    };
    void run();
    void write(std::vector<Pending>& batch);

    sdk::Database& db_;
    const std::size_t max_batch_;
    Log log_error_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    bool running_ = false;
    bool stopping_ = false;
    uint64_t batches_ = 0;
    std::thread writer_;
};

}  // namespace admit::queue

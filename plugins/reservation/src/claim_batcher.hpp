// ClaimBatcher: writes decided holds to PostgreSQL in batches. Each writer thread (`writers`, so
// one batch can execute while another waits for its commit's fsync) takes every hold queued so
// far (up to max_batch) and writes them in ONE transaction: a multi-row INSERT of the
// reservations, a multi-row INSERT ... ON CONFLICT DO NOTHING of their claims, the undo of any
// reservation whose claims PostgreSQL refused, and the reservation.held outbox events. Under load
// batches grow by themselves (they fill while the previous one commits), so the commit cost is
// shared by many holds. Thread-safe: submit() from any thread; start()/stop() from one.
#pragma once

#include <admit/sdk.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace admit::reservation {

/// A decided hold, as it is written to reservation.reservations and reservation.claims.
struct HoldRecord {
    std::string id;
    std::string user_id;
    std::string schedule_id;
    std::string product_id;
    bool general_admission = false;
    std::string grade_id;
    int64_t quantity = 0;
    std::vector<std::string> claim_ids;  ///< seat ids, or GA unit ids
    boost::json::array items;            ///< [{seatId?, gradeId, label?, price}]
    int64_t fencing_token = 0;
    std::string idempotency_key;  ///< empty: none
    int64_t expires_us = 0;
    std::optional<int64_t> starts_us;
    int64_t subtotal = 0;
    int64_t fees = 0;
    int64_t total = 0;
    std::string currency;
    boost::json::object policy_revisions;
    int64_t created_us = 0;
    boost::json::object held_event;  ///< payload of reservation.held
};

enum class BatchOutcome {
    committed,  ///< the reservation and every claim are in PostgreSQL
    refused,    ///< PostgreSQL already has a live claim on one of its seats/units: nothing written
    duplicate,  ///< (user, idempotency key) already has a reservation: nothing written
    failed,     ///< the transaction failed (database unavailable...): nothing written
};

class ClaimBatcher {
  public:
    using Log = std::function<void(const std::string&)>;
    /// Observability of the batches (optional; default: none record anything).
    struct Metrics {
        sdk::Metric queued_seconds;       ///< per hold: from submit() to its batch starting
        sdk::Metric transaction_seconds;  ///< per batch: the transaction, commit included
        sdk::Metric batches;              ///< counter: batches written
        sdk::Metric holds;                ///< counter: holds in them
    };

    ClaimBatcher(sdk::Database& db, std::size_t max_batch, std::size_t writers, Log log_error,
                 Metrics metrics = {})
        : db_(db),
          max_batch_(max_batch == 0 ? 1 : max_batch),
          writer_count_(writers == 0 ? 1 : writers),
          log_error_(std::move(log_error)),
          metrics_(std::move(metrics)) {}
    ~ClaimBatcher() { stop(); }
    ClaimBatcher(const ClaimBatcher&) = delete;
    ClaimBatcher& operator=(const ClaimBatcher&) = delete;

    void start();
    /// Writes what is queued, then joins the writers. Idempotent.
    void stop();

    /// Queues a hold; the future is ready once its batch committed or failed. After stop(), the
    /// future is ready at once with BatchOutcome::failed.
    std::future<BatchOutcome> submit(HoldRecord record);
    /// Queues a hold; `done` runs once with its outcome, on the writer thread right after its
    /// batch ended (after stop(): at once, on this thread, with BatchOutcome::failed). `done`
    /// must be quick and must not throw (an exception is swallowed): it holds up the next batch.
    void submit(HoldRecord record, std::function<void(BatchOutcome)> done);

    /// Batches written so far and holds in them (for metrics and tests).
    uint64_t batches() const;
    uint64_t holds() const;

  private:
    struct Pending {
        HoldRecord record;
        std::promise<BatchOutcome> done;
        std::function<void(BatchOutcome)> on_done;  ///< set: called instead of `done`
        std::chrono::steady_clock::time_point submitted;
    };
    void run();
    void write(std::vector<Pending>& batch);
    void enqueue(Pending pending);
    static void complete(Pending& pending, BatchOutcome outcome) noexcept;

    sdk::Database& db_;
    const std::size_t max_batch_;
    const std::size_t writer_count_;
    Log log_error_;
    Metrics metrics_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    bool running_ = false;
    bool stopping_ = false;
    uint64_t batches_ = 0;
    uint64_t holds_ = 0;
    std::vector<std::thread> writers_;
};

}  // namespace admit::reservation

// DecisionLog: a bounded sample of live policy decisions in PostgreSQL (admit.policy_decisions),
// what shadow runs replay. OPA's decision logs, kept small:
// - offer() (the engine's DecisionSink) runs on the evaluating thread and never waits for I/O: it
//   copies the decision into a bounded in-memory queue under a short lock. Decisions of a policy
//   whose schema declares money or time fields (fees, expiry, refunds) are always queued; the
//   others are sampled, at most sample_per_second per policy on this host. When the queue is full
//   a decision is dropped and counted (dropped()), never waited for.
// - A background thread writes the queue in batches (one INSERT of up to `batch` rows from one
//   JSON parameter) every flush_interval, or at once when a full batch is queued, and deletes
//   decisions older than `retention` once a minute.
//
// Thread-safety: offer(), flush(), recent() and the counters may be called from any thread.
#pragma once

#include "host/common/result.hpp"
#include "host/policy/decision_sink.hpp"
#include "host/store/pg_pool.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace admit::policy {

struct DecisionLogOptions {
    std::string host_id;
    std::chrono::hours retention{24 * 7};
    std::uint32_t sample_per_second = 20;  // per policy and host; 0: only money/time decisions
    std::size_t queue_limit = 20'000;
    std::size_t batch = 500;
    std::chrono::milliseconds flush_interval{200};
};

// A decision as recorded.
struct RecordedDecision {
    std::int64_t id = 0;
    std::string policy;
    std::string revision;
    std::string input_json;
    std::string output_json;
    bool fallback = false;
    std::string trace_id;
    std::string decided_at;  // RFC 3339
    std::string scope;       // which scope decided ("" venue-wide)
};

class DecisionLog final : public DecisionSink {
  public:
    // pool must outlive the log.
    DecisionLog(store::PgPool& pool, DecisionLogOptions options);
    ~DecisionLog() override;  // stop()s, writing what is queued
    DecisionLog(const DecisionLog&) = delete;
    DecisionLog& operator=(const DecisionLog&) = delete;

    void offer(std::string_view policy, std::string_view input_json,
               const Decision& decision) noexcept override;

    Status start();
    void stop();
    // Writes everything queued now (the background thread does this on its own).
    Status flush();
    // Deletes decisions older than the retention window; answers how many.
    Result<std::uint64_t> purge_expired();

    // The newest `limit` recorded decisions of a policy, newest first; with `since`, only those
    // decided within that window; with `scope`, only those that scope decided ("" venue-wide).
    Result<std::vector<RecordedDecision>> recent(const std::string& policy, std::size_t limit,
                                                 std::optional<std::chrono::seconds> since,
                                                 std::optional<std::string> scope = std::nullopt);

    std::uint64_t recorded() const { return recorded_.load(std::memory_order_relaxed); }
    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  private:
    struct Pending {
        std::string policy, revision, input, output, trace_id, scope;
        bool fallback;
        std::chrono::system_clock::time_point at;
    };
    struct Window {
        std::int64_t second = 0;
        std::uint32_t taken = 0;
    };
    void run();

    store::PgPool& pool_;
    DecisionLogOptions options_;
    std::mutex mutex_;  // guards queue_, windows_, stopping_
    std::condition_variable wake_;
    std::vector<Pending> queue_;
    std::map<std::string, Window, std::less<>> windows_;
    bool stopping_ = false;
    std::mutex flush_mutex_;  // one writer at a time
    std::atomic<std::uint64_t> recorded_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::thread thread_;
};

}  // namespace admit::policy

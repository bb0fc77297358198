// LineKeeper: the control rows of schedules (queue.schedules) and the Redis line's life cycle:
// opening a schedule's waiting room (seed and commitment drawn once), and rebuilding a line that
// Redis lost from the durable join log, in the same order. Thread-safe.
#pragma once

#include "queue_context.hpp"

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace admit::queue {

class LineKeeper {
  public:
    explicit LineKeeper(QueueContext& context) : ctx_(context) {}

    /// The control row, creating it (PREQUEUE before the sale start, else OPEN) when absent.
    /// Served from the recent-rows cache (see recent()) when the row is there.
    sdk::Result<Control> open(const ScheduleFacts& facts);
    /// The control row; nullopt when the schedule never had a waiting room.
    sdk::Result<std::optional<Control>> load(const std::string& schedule_id);
    /// As load(), but a row read within the last `facts_cache_ms` is served from memory: the
    /// buyers' hot path (join, status, stream) reads only the sale start and the seed-free facts
    /// of it, and the live state (phase, paused, counts) comes from Redis. Absent rows are not
    /// cached. Admission, operators and rebuilds use load().
    sdk::Result<std::optional<Control>> recent(const std::string& schedule_id);

    /// Makes sure Redis holds the schedule's line: nothing to do when its meta hash exists;
    /// otherwise rebuilds it from PostgreSQL under a Redis lock. When another caller is
    /// rebuilding, waits up to 0.5 s for it, then ADMIT_E_UNAVAILABLE ("recovering").
    sdk::Status ensure_line(const Control& control);

  private:
    sdk::Status rebuild(const Control& control);
    QueueContext& ctx_;
    struct Cached {
        Control control;
        std::chrono::steady_clock::time_point read;
    };
    std::mutex cache_mutex_;
    std::unordered_map<std::string, Cached> cache_;  ///< guarded by cache_mutex_
};

/// The order of waiting rows as the line holds it: pre-queue rows by HMAC(seed, joinId) ranked
/// 1..M (when the pre-queue has been shuffled; else 0), then the others by seq.
struct LogRow {
    std::string user_id;
    std::string join_id;
    bool prequeue = false;
    int64_t seq = 0;
};
std::vector<std::pair<std::string, int64_t>> line_order(const std::vector<LogRow>& rows,
                                                        const std::string& seed, bool shuffled);

}  // namespace admit::queue

// The live line of every schedule in Redis. Per schedule (hash-tagged, one cluster slot):
//   queue:{sid}:meta    hash  phase, seq, paused, admitted, rate, remaining
//   queue:{sid}:line    zset  user -> order (0 in the pre-queue; then 1..N shuffled; then seq)
//   queue:{sid}:seen    zset  user -> last poll, join or stream refresh (ms), for the stale sweep
//   queue:{sid}:active  zset  user -> entry token expiry (ms)
//   queue:{sid}:lock    the admission lock (value: owner and fencing token)
//   queue:{sid}:update  string  the newest stream summary (JSON, with its version)
//   queue:{sid}:updates list    the recent stream summaries, oldest first (StreamRelay)
// A missing meta hash means Redis lost the line: everything answers RECOVERING until rebuild()
// has put the durable log back. Thread-safe (the host's Redis pool is).
#pragma once

#include <admit/sdk.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace admit::queue {

/// The answer of place.lua.
struct Place {
    std::string state;  ///< RECOVERING, SOLD_OUT, ADMITTED, PREQUEUE, WAITING, ABSENT
    int64_t rank = -1;  ///< 0-based rank in the line
    bool is_new = false;
    int64_t score = 0;
    int64_t waiting = 0;
    bool paused = false;
    int64_t admitted_total = 0;
    int64_t active_expiry_ms = 0;
    int64_t rate = 0;              ///< admissions per second of the latest tick
    int64_t seats_remaining = -1;  ///< -1: unknown
};

enum class PlaceMode { join, status, repair };

class QueueRedis {
  public:
    explicit QueueRedis(sdk::Redis& redis) : redis_(redis) {}

    static std::string key(const std::string& schedule_id, std::string_view part) {
        return "queue:{" + schedule_id + "}:" + std::string(part);
    }

    /// [init]
    sdk::Status register_scripts();

    sdk::Result<Place> place(const std::string& schedule_id, const std::string& user,
                             int64_t now_ms, PlaceMode mode, int64_t repair_score = 0);
    /// {was waiting, was active}
    sdk::Result<std::pair<bool, bool>> leave(const std::string& schedule_id,
                                             const std::string& user);
    /// Moves `admitted` (user, expiry ms) to the active set, drops `gone` from the line; answers
    /// the number still waiting.
    sdk::Result<int64_t> admit(const std::string& schedule_id,
                               const std::vector<std::pair<std::string, int64_t>>& admitted,
                               const std::vector<std::string>& gone);
    /// Marks `users` as seen at `now_ms` (ZADD XX CH of the seen set, in chunks): only users still
    /// in the line are touched. Answers how many were.
    sdk::Result<int64_t> touch(const std::string& schedule_id,
                               const std::vector<std::string>& users, int64_t now_ms);
    sdk::Result<std::vector<std::string>> expire_stale(const std::string& schedule_id,
                                                       int64_t cutoff_ms, int64_t limit);
    /// Switches the phase to OPEN and answers the pre-queue members not yet ordered.
    sdk::Result<std::vector<std::string>> close_prequeue(const std::string& schedule_id);
    /// ZADD XX of (user, score) in chunks, and seq = max(seq, last score).
    sdk::Status set_scores(const std::string& schedule_id,
                           const std::vector<std::pair<std::string, int64_t>>& scores);
    /// Whether the line is there (the meta hash has its phase).
    sdk::Result<bool> has_meta(const std::string& schedule_id);
    sdk::Status set_meta(const std::string& schedule_id,
                         const std::vector<std::pair<std::string, std::string>>& fields);
    /// Drops expired entry tokens from the active set; answers how many remain.
    sdk::Result<int64_t> active_count(const std::string& schedule_id, int64_t now_ms);
    sdk::Result<int64_t> waiting_count(const std::string& schedule_id);
    /// The first `count` users of the line.
    sdk::Result<std::vector<std::string>> head(const std::string& schedule_id, int64_t count);

    /// SET NX PX; true when taken.
    sdk::Result<bool> try_lock(const std::string& key, const std::string& owner, int64_t ttl_ms);
    /// Deletes the lock only when `owner` still holds it.
    sdk::Status unlock(const std::string& key, const std::string& owner);

    /// Replaces the schedule's line with the durable log's (the caller holds the rebuild lock):
    /// the line, seen (= now) and active sets first, the meta hash last, so nobody sees a
    /// half-built line as ready.
    sdk::Status rebuild(const std::string& schedule_id,
                        const std::vector<std::pair<std::string, int64_t>>& waiting,
                        const std::vector<std::pair<std::string, int64_t>>& active, int64_t now_ms,
                        const std::vector<std::pair<std::string, std::string>>& meta);

    /// Deletes the line, seen and active sets (operator's clear, rebuild).
    sdk::Status clear(const std::string& schedule_id);
    /// Deletes the line and seen sets, keeping the active set (sold out).
    sdk::Status clear_line(const std::string& schedule_id);
    /// meta.admitted (0 when absent).
    sdk::Result<int64_t> admitted_total(const std::string& schedule_id);

    /// Gives `summary` (a JSON object without "version") the schedule's next version and keeps
    /// it as the newest and among the recent `keep` summaries for an hour, in one script (so
    /// versions enter the recent list in order). Answers the version.
    sdk::Result<int64_t> post_update(const std::string& schedule_id, const std::string& summary,
                                     int64_t keep);
    /// The summaries numbered after `sent`, oldest first (JSON texts), as far as they are kept;
    /// the newest `first_sight` when `sent` is none; every kept one when they are all older than
    /// `sent` (numbered anew after Redis lost them). One script call.
    sdk::Result<std::vector<std::string>> recent_updates(const std::string& schedule_id,
                                                         std::optional<int64_t> sent,
                                                         std::size_t first_sight);

  private:
    sdk::Status zadd_chunks(const std::string& key, const std::string& flag,
                            const std::vector<std::pair<std::string, int64_t>>& members);
    sdk::Redis& redis_;
};

}  // namespace admit::queue

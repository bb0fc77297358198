// AdmissionTick: the job that moves every schedule's line, once per tick (1 s), on one host at a
// time. Per schedule: rebuild a line Redis lost; shuffle the pre-queue at the sale start; take
// the admission lock (Redis, SET NX PX) and a fencing token (queue.schedules.admit_fence, bumped
// in PostgreSQL); ask admission.lua; admit the head of the line in one transaction that checks
// the token is still the newest (so a host that lost its lock can never admit a batch) and writes
// each admission under a primary key (so no place is admitted twice); then move the batch to the
// active set in Redis and tell the stream. Closes the line (SOLD_OUT) when nothing can be left,
// and removes users unseen past the grace window. Thread-safe (one tick at a time per host).
#pragma once

#include "admission_math.hpp"
#include "line_keeper.hpp"
#include "queue_context.hpp"
#include "stream_relay.hpp"

#include <admit/sdk.hpp>

#include <mutex>
#include <string>
#include <unordered_map>

namespace admit::queue {

/// What a tick decided for one schedule (for tests and the stream).
struct TickReport {
    std::string phase;
    int64_t admitted = 0;
    int64_t waiting = 0;
    int64_t active = 0;
    std::optional<int64_t> seats_free;
    bool sold_out = false;
    bool skipped = false;  ///< lock held elsewhere, paused, recovering or fenced out
};

class AdmissionTick {
  public:
    AdmissionTick(QueueContext& context, LineKeeper& keeper, StreamRelay& relay)
        : ctx_(context), keeper_(keeper), relay_(relay) {}

    /// One pass over every schedule whose line is live.
    sdk::Status run();
    /// One schedule.
    sdk::Result<TickReport> tick(const Control& control);

    /// Inventory facts of a schedule: units in live holds, of them expiring within `ttl_s`, and
    /// units sold; admitted and converted users.
    struct Inventory {
        int64_t held = 0;
        int64_t expiring_soon = 0;
        int64_t sold = 0;
        int64_t admitted = 0;
        int64_t converted = 0;
    };
    sdk::Result<Inventory> inventory(const std::string& schedule_id, int64_t ttl_s);

    /// Posts the schedule's summary for the stream relays (every host sends it to its streams on
    /// topic queue:{scheduleId} as event "update"). `only_if_changed`: skipped when the same
    /// summary was posted last by this host (the tick's steady state).
    void publish(const std::string& schedule_id, boost::json::object update,
                 bool only_if_changed = false);

  private:
    sdk::Status shuffle(const Control& control);
    sdk::Status close_sold_out(const std::string& schedule_id);
    sdk::Result<std::vector<std::string>> admit_batch(const std::string& schedule_id, int64_t fence,
                                                      const std::vector<std::string>& candidates,
                                                      int64_t ttl_s);
    sdk::Status sweep(const std::string& schedule_id);

    QueueContext& ctx_;
    LineKeeper& keeper_;
    StreamRelay& relay_;
    std::mutex mutex_;  ///< guards the maps below
    std::unordered_map<std::string, int64_t> token_ttl_s_;
    std::unordered_map<std::string, int64_t> last_sweep_ms_;
    std::unordered_map<std::string, std::string> last_update_;  ///< coalescing: last sent body
};

}  // namespace admit::queue

// StreamRelay: the SSE side of the line. Whoever changes a schedule's line (the admission tick on
// one host, an operator on any host) posts the new summary to Redis (queue:{sid}:updates, the
// recent ones with their versions); a relay thread on EVERY host reads them once per `period` and
// publishes what is new to its own open streams (topic queue:{scheduleId}, event "update"). So a
// client's stream hears the admission whichever host it is connected to, and at most one message
// per schedule reaches it per period: the summaries posted since the host's last message are
// merged into one (the newest, with every merged summary's `admitted` ids; see
// update_coalescing.hpp). Summaries are kept while fewer than kKeptSummaries were posted after
// them (a relay period holds a few ticks). Thread-safe; the thread runs between start() and
// stop().
#pragma once

#include "queue_context.hpp"

#include <admit/sdk/periodic_thread.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace admit::queue {

class StreamRelay {
  public:
    StreamRelay(QueueContext& context, std::chrono::milliseconds period)
        : ctx_(context),
          thread_(
              period, [this] { relay_once(); },
              [this](const std::string& what) { ctx_.host->warn("queue: stream relay: ", what); }) {
    }
    StreamRelay(const StreamRelay&) = delete;
    StreamRelay& operator=(const StreamRelay&) = delete;

    /// Posts `update` as the schedule's newest summary and sends it (with any other host's
    /// summaries this host has not sent yet) to this host's streams at once; the relays of the
    /// other hosts send it within one period.
    sdk::Status post(const std::string& schedule_id, boost::json::object update);

    void start() { thread_.start(); }
    void stop() { thread_.stop(); }
    /// One pass: publishes, per live schedule, the summaries newer than the last one this host
    /// sent (merged into one message).
    void relay_once();

    static constexpr int64_t kKeptSummaries = 64;
    /// Merged into a host's first message for a schedule (see coalesce_updates): the schedule
    /// list is read every 2 s, so a line that just opened may have had a few ticks already.
    static constexpr std::size_t kFirstSightSummaries = 4;

  private:
    void relay_schedule(const std::string& schedule_id);

    QueueContext& ctx_;
    std::mutex sent_mutex_;  ///< guards sent_version_ and orders this host's messages
    std::unordered_map<std::string, int64_t> sent_version_;  ///< newest version sent here
    std::vector<std::string> schedules_;                     ///< relay thread only
    std::chrono::steady_clock::time_point listed_{};         ///< relay thread only
    sdk::PeriodicThread thread_;                             ///< last: stopped first
};

}  // namespace admit::queue

// StreamPresence: holding GET .../queue/stream keeps a place, as polling does (issue 16: users
// who neither poll nor hold a stream past the grace window leave the line). The host reports each
// accepted stream's open and end (ABI 1.3 on_close), and this host counts its own open streams
// per (schedule, user); a thread refreshes those users' last-seen time in Redis (the `seen` zset
// the stale sweep reads) every `period` (grace / 3), so a streaming user is never older than a
// third of the grace window, whichever host the stream is on and whichever host sweeps. A user
// whose streams all closed is no longer refreshed and leaves after the grace window unless it
// polls. Refreshing only updates users still in the line (ZADD XX): a user admitted, gone or
// swept is never put back.
//
// Thread-safety: opened/closed are called from host threads (closed from an I/O thread: it only
// takes a short lock, never blocks on the network); the refresh thread runs between start() and
// stop().
#pragma once

#include "queue_context.hpp"

#include <admit/sdk/periodic_thread.hpp>

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace admit::queue {

class StreamPresence {
  public:
    StreamPresence(QueueContext& context, std::chrono::milliseconds period)
        : ctx_(context),
          thread_(
              period,
              [this] {
                  if (auto done = refresh_once(); !done)
                      ctx_.host->warn("queue: refreshing streaming users: ", done.error().message);
              },
              [this](const std::string& what) {
                  ctx_.host->warn("queue: refreshing streaming users: ", what);
              },
              sdk::PeriodicThread::FirstPass::after_period) {}
    StreamPresence(const StreamPresence&) = delete;
    StreamPresence& operator=(const StreamPresence&) = delete;

    /// A stream of `user` on `schedule_id` was accepted on this host.
    void opened(const std::string& schedule_id, const std::string& user);
    /// One such stream ended (called once per opened()).
    void closed(const std::string& schedule_id, const std::string& user);
    /// Streams open on this host (for tests and metrics).
    std::size_t open_streams() const;

    void start() { thread_.start(); }
    void stop() { thread_.stop(); }
    /// One pass: marks every user with an open stream here as seen now. Answers how many users
    /// it refreshed (those still in a line).
    sdk::Result<std::size_t> refresh_once();

  private:
    QueueContext& ctx_;
    mutable std::mutex streams_mutex_;
    /// schedule -> user -> open streams of that user here
    std::unordered_map<std::string, std::unordered_map<std::string, int>> streams_;
    std::size_t total_ = 0;

    sdk::PeriodicThread thread_;  ///< last: stopped first
};

}  // namespace admit::queue

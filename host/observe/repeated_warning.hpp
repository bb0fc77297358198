// RepeatedWarning: one log line for a failure that repeats, not one per attempt.
// Trap avoided: background loops (the periodic jobs, the delayed-jobs claimer, the event relay)
// and the pools' reconnect probes (store::ReconnectGate) retry every 100-200 ms while PostgreSQL
// or Redis is down, and a warning per attempt filled an instance's log with about 100 lines a
// second during an outage, burying what changed.
// A failure is logged when it starts, when its text changes, and once per `repeat_every` while it
// lasts (with how many were not logged); the first success after a logged failure logs its end.
// Thread-safety: every member is thread-safe (the job threads share one).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace admit::observe {

class RepeatedWarning {
  public:
    // `recovered` is the line that ends a streak ("periodic job X: working again", "PostgreSQL
    // reachable again"); succeeded() adds how many attempts failed.
    explicit RepeatedWarning(std::string recovered,
                             std::chrono::milliseconds repeat_every = std::chrono::seconds(10));

    // Logs `message` at warning level, or counts it when the same message was logged less than
    // repeat_every ago.
    void failed(const std::string& message);
    // Ends a failure streak: "<recovered> after N failed attempts" at info level when a failure
    // was logged since the last success; nothing otherwise (cheap on the hot path).
    void succeeded();

  private:
    using Clock = std::chrono::steady_clock;
    const std::string recovered_;
    const std::chrono::milliseconds repeat_every_;
    std::mutex mutex_;
    std::string last_message_;  // empty: no failure since the last success
    Clock::time_point last_logged_{};
    std::uint64_t failures_ = 0;    // in this streak
    std::uint64_t not_logged_ = 0;  // since the last line
};

}  // namespace admit::observe

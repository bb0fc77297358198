// ReconnectGate: when a dependency is down, lets one connection attempt through per backoff
// period and makes every other caller fail fast, so a pool never retries in a tight loop.
//
// Thread-safety: every member is thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "host/common/result.hpp"
#include "host/observe/repeated_warning.hpp"

namespace admit::store {

class ReconnectGate {
  public:
    // `dependency` names the server in messages and logs ("PostgreSQL", "Redis 127.0.0.1:6379").
    ReconnectGate(std::string dependency, std::chrono::milliseconds backoff_min,
                  std::chrono::milliseconds backoff_max);

    // Before opening a connection: nullopt means go ahead (then call succeeded() or failed());
    // otherwise the Error{ErrorCode::DEPENDENCY_UNAVAILABLE} to return at once.
    std::optional<Error> begin_attempt();
    void succeeded();
    // Starts or doubles the backoff and logs a warning. Returns the error for the caller.
    Error failed(const std::string& reason);

    // A connection in use turned out to be broken (healthy() becomes false; no backoff yet).
    void connection_lost();
    // A request on an existing connection succeeded.
    void request_succeeded();
    // True when the last connect or request succeeded.
    bool healthy() const;
    // True when healthy() and a connect or request succeeded less than `window` ago.
    bool succeeded_within(std::chrono::milliseconds window) const;

  private:
    using Clock = std::chrono::steady_clock;
    const std::string dependency_;
    const std::chrono::milliseconds backoff_min_;
    const std::chrono::milliseconds backoff_max_;

    mutable std::mutex mutex_;
    bool healthy_ = false;
    bool down_ = false;               // the last connect attempt failed
    bool attempt_in_flight_ = false;  // while down: the single probe
    Clock::time_point next_attempt_{};
    std::chrono::milliseconds backoff_{0};
    std::string last_error_;
    Clock::time_point last_success_{};  // the last succeeded() or request_succeeded()
    // "connect failed" once per outage and reason (a probe every 100-200 ms would otherwise
    // fill the log), and "reachable again" when it ends.
    observe::RepeatedWarning connect_failed_;
};

}  // namespace admit::store

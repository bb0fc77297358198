// CircuitBreaker: the state machine that protects one upstream (see BreakerOptions for the rule).
//
// Closed: calls go through; the outcomes of the last `window` calls are kept. Once the window is
// full and the failure or slow-call share reaches its threshold, it opens. Open: every call is
// refused until `open_for` has passed, then it is half-open. Half-open: exactly `half_open_calls`
// calls are let through (others refused); when all of them are recorded it closes (window cleared)
// if their shares stay under the thresholds, otherwise it opens again.
//
// Thread-safe (one mutex; nothing blocks under it). A Permit ties an outcome to the period it was
// admitted in, so an outcome that arrives after the state changed is ignored.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "host/outbound/outbound_options.hpp"

namespace admit::outbound {

enum class BreakerState { closed = 0, open = 1, half_open = 2 };
std::string_view to_string(BreakerState state);

class CircuitBreaker {
  public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    struct Permit {
        std::uint64_t generation = 0;
    };

    explicit CircuitBreaker(BreakerOptions options, Clock clock = {});

    // A permit to make one call, or nullopt when the breaker refuses it.
    std::optional<Permit> try_acquire();
    // The outcome of a permitted call: failed (no connection, no answer, 5xx) and how long it took.
    void record(Permit permit, bool failed, std::chrono::milliseconds duration);
    BreakerState state();

  private:
    struct Outcome {
        bool failed;
        bool slow;
    };
    bool unhealthy(const std::deque<Outcome>& outcomes) const;
    void open_locked(std::chrono::steady_clock::time_point now);
    void refresh_locked(std::chrono::steady_clock::time_point now);

    BreakerOptions options_;
    Clock clock_;
    std::mutex mutex_;
    BreakerState state_ = BreakerState::closed;
    std::uint64_t generation_ = 1;
    std::deque<Outcome> window_;
    std::chrono::steady_clock::time_point opened_at_{};
    std::uint32_t trial_permits_left_ = 0;
};

}  // namespace admit::outbound

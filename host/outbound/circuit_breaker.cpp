#include "host/outbound/circuit_breaker.hpp"

#include <algorithm>

namespace admit::outbound {

std::string_view to_string(BreakerState state) {
    switch (state) {
        case BreakerState::closed:
            return "closed";
        case BreakerState::open:
            return "open";
        case BreakerState::half_open:
            return "half_open";
    }
    return "closed";
}

CircuitBreaker::CircuitBreaker(BreakerOptions options, Clock clock)
    : options_(options), clock_(std::move(clock)) {
    if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
    options_.window = std::max<std::uint32_t>(options_.window, 1);
    options_.half_open_calls = std::max<std::uint32_t>(options_.half_open_calls, 1);
}

bool CircuitBreaker::unhealthy(const std::deque<Outcome>& outcomes) const {
    if (outcomes.empty()) return false;
    const auto total = static_cast<std::uint64_t>(outcomes.size());
    const auto failed = static_cast<std::uint64_t>(
        std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return o.failed; }));
    const auto slow = static_cast<std::uint64_t>(
        std::count_if(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return o.slow; }));
    return failed * 100 >= total * options_.failure_percent ||
           slow * 100 >= total * options_.slow_percent;
}

void CircuitBreaker::open_locked(std::chrono::steady_clock::time_point now) {
    state_ = BreakerState::open;
    opened_at_ = now;
    window_.clear();
    ++generation_;
}

void CircuitBreaker::refresh_locked(std::chrono::steady_clock::time_point now) {
    if (state_ == BreakerState::open && now - opened_at_ >= options_.open_for) {
        state_ = BreakerState::half_open;
        trial_permits_left_ = options_.half_open_calls;
        window_.clear();
        ++generation_;
    }
}

std::optional<CircuitBreaker::Permit> CircuitBreaker::try_acquire() {
    const auto now = clock_();
    std::lock_guard lock(mutex_);
    refresh_locked(now);
    switch (state_) {
        case BreakerState::closed:
            return Permit{generation_};
        case BreakerState::open:
            return std::nullopt;
        case BreakerState::half_open:
            if (trial_permits_left_ == 0) return std::nullopt;
            --trial_permits_left_;
            return Permit{generation_};
    }
    return std::nullopt;
}

void CircuitBreaker::record(Permit permit, bool failed, std::chrono::milliseconds duration) {
    const auto now = clock_();
    std::lock_guard lock(mutex_);
    if (permit.generation != generation_) return;  // admitted in an earlier period
    window_.push_back(Outcome{failed, duration > options_.slow_call});
    if (state_ == BreakerState::closed) {
        while (window_.size() > options_.window) window_.pop_front();
        if (window_.size() == options_.window && unhealthy(window_)) open_locked(now);
        return;
    }
    if (state_ == BreakerState::half_open && window_.size() >= options_.half_open_calls) {
        if (unhealthy(window_)) {
            open_locked(now);
        } else {
            state_ = BreakerState::closed;
            window_.clear();
            ++generation_;
        }
    }
}

BreakerState CircuitBreaker::state() {
    const auto now = clock_();
    std::lock_guard lock(mutex_);
    refresh_locked(now);
    return state_;
}

}  // namespace admit::outbound

#include "host/store/reconnect_gate.hpp"

#include <fmt/format.h>

namespace admit::store {

ReconnectGate::ReconnectGate(std::string dependency, std::chrono::milliseconds backoff_min,
                             std::chrono::milliseconds backoff_max)
    : dependency_(std::move(dependency)),
      backoff_min_(backoff_min),
      backoff_max_(std::max(backoff_min, backoff_max)),
      connect_failed_(dependency_ + " reachable again") {}

std::optional<Error> ReconnectGate::begin_attempt() {
    std::lock_guard lock(mutex_);
    if (!down_) return std::nullopt;
    if (attempt_in_flight_ || Clock::now() < next_attempt_) {
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE,
                     dependency_ + " unreachable: " + last_error_};
    }
    attempt_in_flight_ = true;
    return std::nullopt;
}

void ReconnectGate::succeeded() {
    std::lock_guard lock(mutex_);
    connect_failed_.succeeded();
    down_ = false;
    attempt_in_flight_ = false;
    healthy_ = true;
    backoff_ = std::chrono::milliseconds{0};
    last_error_.clear();
    last_success_ = Clock::now();
}

Error ReconnectGate::failed(const std::string& reason) {
    std::lock_guard lock(mutex_);
    const Error error{ErrorCode::DEPENDENCY_UNAVAILABLE, dependency_ + " unreachable: " + reason};
    if (down_ && !attempt_in_flight_ && Clock::now() < next_attempt_) {
        return error;  // a concurrent attempt already recorded this outage
    }
    down_ = true;
    attempt_in_flight_ = false;
    healthy_ = false;
    backoff_ = backoff_.count() == 0 ? backoff_min_ : std::min(backoff_ * 2, backoff_max_);
    next_attempt_ = Clock::now() + backoff_;
    last_error_ = reason;
    connect_failed_.failed(fmt::format("{} connect failed ({}); retrying every {} ms at most",
                                       dependency_, reason, backoff_max_.count()));
    return error;
}

void ReconnectGate::connection_lost() {
    std::lock_guard lock(mutex_);
    healthy_ = false;
}

void ReconnectGate::request_succeeded() {
    std::lock_guard lock(mutex_);
    healthy_ = true;
    last_success_ = Clock::now();
}

bool ReconnectGate::healthy() const {
    std::lock_guard lock(mutex_);
    return healthy_;
}

bool ReconnectGate::succeeded_within(std::chrono::milliseconds window) const {
    std::lock_guard lock(mutex_);
    return healthy_ && Clock::now() - last_success_ < window;
}

}  // namespace admit::store

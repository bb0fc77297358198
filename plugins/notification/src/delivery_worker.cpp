#include "delivery_worker.hpp"

#include <algorithm>
#include <cmath>

namespace admit::notification {

std::optional<int64_t> next_attempt(const DeliveryPolicy& policy, int64_t attempts,
                                    int64_t created_us, int64_t now_us) {
    if (attempts >= policy.max_attempts) return std::nullopt;
    const int shift = static_cast<int>(std::clamp<int64_t>(attempts - 1, 0, 40));
    const double backoff =
        std::min(static_cast<double>(policy.initial_backoff_us) * std::ldexp(1.0, shift),
                 static_cast<double>(policy.max_backoff_us));
    const int64_t next = now_us + static_cast<int64_t>(backoff);
    if (next > created_us + policy.max_age_us) return std::nullopt;
    return next;
}

void DeliveryWorker::add(std::unique_ptr<Channel> channel, double per_second) {
    lanes_.push_back(Lane{std::move(channel), per_second, per_second, clock_()});
}

sdk::Status DeliveryWorker::run_once() {
    for (auto& lane : lanes_) ADMIT_TRY(run_lane(lane));
    return {};
}

sdk::Status DeliveryWorker::run_lane(Lane& lane) {
    const int64_t now = clock_();
    const double burst = std::max(1.0, lane.per_second);
    lane.tokens = std::min(
        burst, lane.tokens + lane.per_second * static_cast<double>(now - lane.refilled_us) / 1e6);
    lane.refilled_us = now;
    const auto allowed = std::min<int64_t>(policy_.batch, static_cast<int64_t>(lane.tokens));
    if (allowed <= 0) return {};
    auto claimed = store_.claim(std::string(lane.channel->name()), now, policy_.lease_us, allowed);
    if (!claimed) return claimed.error();
    for (const auto& message : *claimed) {
        lane.tokens -= 1;
        const Attempt attempt = lane.channel->deliver(message);
        const int64_t done = clock_();
        std::optional<int64_t> next;
        if (!attempt.delivered && !attempt.permanent)
            next = next_attempt(policy_, message.attempts, message.created_us, done);
        ADMIT_TRY(store_.record(message, attempt, done, next));
    }
    return {};
}

}  // namespace admit::notification

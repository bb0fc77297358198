// The delivery job: takes due messages per channel within the channel's rate limit, delivers
// them and records each outcome with exponential back-off: queued -> sent | failed -> ... ->
// dead. Runs on the host's job thread (one instance at a time per venue); run_once() is not
// meant to run concurrently with itself, though claims are safe across instances.
#pragma once

#include "channel.hpp"
#include "message_store.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace admit::notification {

struct DeliveryPolicy {
    int64_t initial_backoff_us = 60'000'000;          ///< first retry after a minute
    int64_t max_backoff_us = 6LL * 3600 * 1'000'000;  ///< retries at most six hours apart
    int64_t max_age_us = 3LL * 86400 * 1'000'000;     ///< no attempt past three days: dead
    int64_t max_attempts = 30;
    int64_t lease_us = 60'000'000;  ///< a claimed message's next attempt while it is sent
    int64_t batch = 100;            ///< most messages per channel per run
};

/// The next attempt after failed attempt number `attempts` (1-based) of a message created at
/// `created_us`, or nullopt when it should go dead. Pure.
std::optional<int64_t> next_attempt(const DeliveryPolicy& policy, int64_t attempts,
                                    int64_t created_us, int64_t now_us);

class DeliveryWorker {
  public:
    DeliveryWorker(MessageStore& store, DeliveryPolicy policy, std::function<int64_t()> clock)
        : store_(store), policy_(policy), clock_(std::move(clock)) {}

    /// Adds a channel sending at most `per_second` messages a second (bursts up to one second's
    /// worth). Before the job runs only.
    void add(std::unique_ptr<Channel> channel, double per_second);

    /// One pass over every channel; the first database error ends the pass.
    sdk::Status run_once();

  private:
    struct Lane {
        std::unique_ptr<Channel> channel;
        double per_second = 0;
        double tokens = 0;
        int64_t refilled_us = 0;
    };
    sdk::Status run_lane(Lane& lane);

    MessageStore& store_;
    DeliveryPolicy policy_;
    std::function<int64_t()> clock_;
    std::vector<Lane> lanes_;
};

}  // namespace admit::notification

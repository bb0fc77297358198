// RateLimitGuard: per-category request limits (GCRA: at most `limit` requests per
// `windowSeconds`, bursts included), keyed by caller or client IP as the `ratelimits` policy
// decides. Over the limit: 429 RATE_LIMITED with Retry-After.
//
// Each host decides at once from its own copy of the buckets (RateBuckets: exact for the requests
// it sees, also under concurrency) and counts every passed request in the shared bucket in Redis
// without waiting for it (SharedBucketSync: the requests of one round trip in one script call);
// the replies raise the local copy to what all hosts used. Across hosts, a key may pass at most
// the requests another host passed in one round trip more before that is learned. When Redis cannot
// answer, the local buckets still limit; when the policy cannot, the request passes (logged, at
// most once a second): a limiter must not take the platform down. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "host/pipeline/dispatcher.hpp"
#include "host/pipeline/shared_bucket_sync.hpp"

namespace admit::policy {
class PolicyEngine;
}
namespace admit::observe {
class MetricsRegistry;
}
namespace admit::store {
class ScriptRegistry;
}

namespace admit::runtime {

class RateBuckets;

class RateLimitGuard final : public RequestGuard {
  public:
    // Registers its Redis script with `scripts` (through SharedBucketSync). The policy named
    // "ratelimits" decides limits.
    RateLimitGuard(store::ScriptRegistry& scripts, policy::PolicyEngine& policies, HostClock& clock,
                   observe::MetricsRegistry* metrics = nullptr);

    std::optional<http::Response> before(const RouteEntry& route, const Caller& caller,
                                         const http::Request& request) override;

  private:
    // What the ratelimits policy decided for one input (category, authenticated).
    struct Rule {
        int64_t limit = 0;
        int64_t window_s = 0;
        bool key_by_caller = false;
    };
    // The policy's decision, reused for up to a second while no new revision is published (a
    // policy may read the clock); nullopt when it cannot decide (warned).
    std::optional<Rule> rule_for(const std::string& input);
    void warn_throttled(const std::string& message);
    struct CachedRule {
        Rule rule;
        std::uint64_t generation = 0;
        int64_t decided_us = 0;
    };
    static constexpr int64_t kRuleReuseUs = 1'000'000;
    std::shared_mutex rules_mutex_;  // read on every request, written about once a second
    std::unordered_map<std::string, CachedRule> rules_;  // a few entries: categories x 2
    policy::PolicyEngine& policies_;
    HostClock& clock_;
    std::atomic<int64_t> last_warning_us_{0};
    std::shared_ptr<RateBuckets> buckets_;  // shared with replies still in flight
    SharedBucketSync shared_;
};

}  // namespace admit::runtime

// SharedBucketSync: counts the requests this host let through in the shared rate-limit buckets in
// Redis, many requests to one script call.
//
// Trap avoided: one Redis script call per request. The call's fixed cost (the command, the Lua
// invocation, the pool hand-off and its reply) is several times the bucket arithmetic itself; on
// the hot paths (hold decisions, queue polls) it was about a tenth of the machine. Here a request
// only adds to this host's pending counts; one batch is in flight at a time (one call per 128
// keys), and its last reply sends everything counted meanwhile. Under load a batch carries a
// round trip's worth of requests; when idle the first request is sent at once, as before.
//
// Contract:
//   - every request passed to count() is counted in its key's shared bucket exactly once, unless
//     Redis cannot take the call (then it is dropped: this host's own buckets still limit);
//   - a count that would overflow the shared bucket is capped as the one-by-one arithmetic would
//     (requests the shared bucket would refuse are not counted);
//   - each reply raises this host's RateBuckets to the shared TATs (learn()); so across hosts a
//     key may pass at most the requests another host let through during one call's round trip
//     more before that is learned (one request when requests of a key are further apart);
//   - one Redis node: a call names several keys (no Redis Cluster hash slots).
// Thread-safe. Replies may arrive after the owner is gone: the state they touch is shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace admit::observe {
class Counter;
}
namespace admit::store {
class ScriptRegistry;
}

namespace admit::runtime {

class RateBuckets;

// What SharedBucketSync counts, when given: its script calls, the requests counted in them
// (their ratio is the batch size) and the calls whose answer this host learned (calls minus
// answers: in flight or failed). They must outlive it and its replies.
struct SharedBucketCounters {
    observe::Counter* calls = nullptr;
    observe::Counter* requests = nullptr;
    observe::Counter* answers = nullptr;
};

class SharedBucketSync {
  public:
    // Registers its script with `scripts`, which must outlive this object (the host's Redis
    // stores outlive the request pipeline). Replies that come after destruction only teach
    // `buckets`; nothing more is sent.
    using Counters = SharedBucketCounters;
    SharedBucketSync(store::ScriptRegistry& scripts, std::shared_ptr<RateBuckets> buckets,
                     Counters counters = {});
    ~SharedBucketSync();
    SharedBucketSync(const SharedBucketSync&) = delete;
    SharedBucketSync& operator=(const SharedBucketSync&) = delete;

    // One request of `key` passed at `now_ms` (the clock RateBuckets decided with) under `limit`
    // per `window_ms`. A call counts its requests at the latest such moment.
    void count(const std::string& key, std::int64_t now_ms, std::int64_t limit,
               std::int64_t window_ms);

    static constexpr const char* kScriptName = "admitd/ratelimit_counts";

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace admit::runtime

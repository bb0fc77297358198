// RateBuckets: this host's copy of the rate-limit buckets (GCRA: a key's theoretical arrival
// time, TAT, in ms), decided locally and reconciled with the shared buckets in Redis.
//
// Contract:
//   - take() decides at once and atomically per key: among concurrent requests of one key on
//     this host, no more than the limit pass (the same arithmetic as the Redis script);
//   - learn() raises a key's TAT to what Redis reported (the shared bucket, which also counts
//     other hosts' requests); it never lowers it, so the two never count a request twice;
//   - across hosts a key can pass at most what another host passed in one round trip more before
//     that consumption is learned (SharedBucketSync's reply reports it).
// Bounded: a shard past kShardCapacity keys drops those whose TAT has passed (they are full).
// Thread-safe: sharded mutexes.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace admit::runtime {

class RateBuckets {
  public:
    struct Verdict {
        bool allowed = false;
        std::int64_t retry_after_ms = 0;  // when refused
    };

    // One request of `key` at `now_ms` under `limit` per `window_ms`.
    Verdict take(const std::string& key, double now_ms, std::int64_t limit, std::int64_t window_ms);
    // Redis reported the shared bucket of `key` at `tat_ms`.
    void learn(const std::string& key, double tat_ms);
    std::size_t size() const;

  private:
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kShardCapacity = 20'000;
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, double> tat_ms;
        double last_sweep_ms = 0;
    };
    Shard& shard_of(const std::string& key);
    std::array<Shard, kShards> shards_;
};

}  // namespace admit::runtime

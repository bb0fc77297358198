// The parts every queue component shares, owned by the plugin and alive from init to destroy.
// Everything here is thread-safe (the members are, or are immutable after start()).
#pragma once

#include "deny_list.hpp"
#include "entry_token.hpp"
#include "join_log.hpp"
#include "queue_redis.hpp"
#include "schedule_facts.hpp"

#include <admit/sdk.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace admit::queue {

/// Config ([plugin.queue]).
struct QueueSettings {
    int64_t grace_ms = 120000;           ///< grace_seconds (120): unseen longer -> leaves the line
    int64_t sweep_interval_ms = 30000;   ///< sweep_seconds (30): stale sweep period
    int64_t tick_ms = 1000;              ///< tick_ms: admission period
    int64_t lock_ttl_ms = 3000;          ///< admission lock lifetime
    std::size_t join_batch_max = 2000;   ///< join_batch_max
    std::size_t deny_capacity = 100000;  ///< deny_capacity: revoked tokens kept in memory
    int64_t facts_cache_ms = 1000;       ///< facts_cache_ms
    int64_t join_timeout_ms = 5000;      ///< join_timeout_ms: wait for the durable log
    std::string entry_key_env = "ADMIT_QUEUE_ENTRY_KEY";  ///< base64 32-byte HMAC key
};

struct QueueContext {
    sdk::Host* host = nullptr;
    QueueSettings settings;
    EntryKey key{};     ///< set in start(): from the environment or queue.keys
    std::string owner;  ///< this host instance (lock values)
    std::unique_ptr<QueueRedis> redis;
    std::unique_ptr<JoinLog> joins;
    std::unique_ptr<DenyList> deny;
    std::unique_ptr<ScheduleFactsCache> facts;

    int64_t now_ms() const { return host->now_us() / 1000; }
};

/// The control row of a schedule (queue.schedules).
struct Control {
    std::string schedule_id;
    std::string phase;  ///< PREQUEUE, OPEN, SOLD_OUT
    std::string seed;   ///< raw bytes; secret while phase is PREQUEUE
    std::string commitment;
    bool paused = false;
    std::optional<int64_t> rate_override;
    std::optional<int64_t> sale_starts_us;
    std::optional<int64_t> shuffled_us;
    int64_t admit_fence = 0;
};

}  // namespace admit::queue

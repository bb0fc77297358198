#include "host/pipeline/shared_bucket_sync.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "host/observe/metrics.hpp"
#include "host/observe/repeated_warning.hpp"
#include "host/pipeline/rate_buckets.hpp"
#include "host/store/redis_scripts.hpp"

namespace admit::runtime {

namespace {

// GCRA over several buckets. KEYS: the buckets; ARGV[1]: now in ms; then per key three values:
// limit, window in ms, requests to count. Each counted request moves the bucket's TAT one
// interval on, as far as the bucket has room (the one-by-one script refused the rest). Returns
// each bucket's TAT in ms, as text, in KEYS order.
constexpr const char* kScript = R"lua(
local now = tonumber(ARGV[1])
local tats = {}
for i, key in ipairs(KEYS) do
  local at = 2 + (i - 1) * 3
  local limit = tonumber(ARGV[at])
  local window = tonumber(ARGV[at + 1])
  local count = tonumber(ARGV[at + 2])
  local interval = window / limit
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local room = math.floor((now + window - tat) / interval + 1e-9)
  local n = math.min(count, math.max(room, 0))
  if n > 0 then
    tat = tat + n * interval
    redis.call('SET', key, tostring(tat), 'PX', math.ceil(tat - now) + 1)
  end
  tats[i] = tostring(tat)
end
return tats
)lua";

// A call names at most this many keys; a larger batch goes in several calls. Redis runs a script
// alone, so this bounds what one call delays the hold and place scripts behind it (about 3 us a
// key: 0.4 ms). Under load a batch is a round trip's worth of requests, far fewer keys than this;
// it fills only after Redis stalled.
constexpr std::size_t kMaxKeysPerCall = 128;

}  // namespace

struct SharedBucketSync::State : std::enable_shared_from_this<State> {
    struct Pending {
        std::int64_t limit = 0;
        std::int64_t window_ms = 0;
        std::int64_t count = 0;
    };
    using PendingMap = std::unordered_map<std::string, Pending>;
    State(store::ScriptRegistry& s, std::shared_ptr<RateBuckets> b, Counters c)
        : scripts(s), buckets(std::move(b)), counters(c) {}

    // Precondition: mutex held and no call in flight. Moves everything pending out (O(1): the
    // lock is held for a swap, never for building a call) and counts the calls it will take.
    bool take_locked(PendingMap& batch, std::int64_t& now_ms) {
        if (pending.empty()) return false;
        batch.swap(pending);
        now_ms = latest_now_ms;
        calls_in_flight = (batch.size() + kMaxKeysPerCall - 1) / kMaxKeysPerCall;
        return true;
    }

    // Sends `batch` in calls of up to kMaxKeysPerCall keys; the last reply sends what was
    // counted meanwhile. Called without mutex.
    void send(const PendingMap& batch, std::int64_t now_ms) {
        auto keys = std::make_shared<std::vector<std::string>>();
        std::vector<std::string> args;
        std::int64_t requests = 0;
        for (auto it = batch.begin(); it != batch.end();) {
            keys->push_back(it->first);
            args.push_back(std::to_string(it->second.limit));
            args.push_back(std::to_string(it->second.window_ms));
            args.push_back(std::to_string(it->second.count));
            requests += it->second.count;
            if (++it == batch.end() || keys->size() == kMaxKeysPerCall) {
                send_call(std::move(keys), now_ms, args, requests);
                keys = std::make_shared<std::vector<std::string>>();
                args.clear();
                requests = 0;
            }
        }
    }

    void send_call(std::shared_ptr<std::vector<std::string>> keys, std::int64_t now_ms,
                   const std::vector<std::string>& bucket_args, std::int64_t requests) {
        const std::string now_text = std::to_string(now_ms);
        std::vector<std::string_view> arg_views{now_text};
        arg_views.insert(arg_views.end(), bucket_args.begin(), bucket_args.end());
        const std::vector<std::string_view> key_views(keys->begin(), keys->end());
        if (counters.calls) counters.calls->inc();
        if (counters.requests) counters.requests->inc(static_cast<std::uint64_t>(requests));
        auto sent =
            scripts.eval_async(kScriptName, key_views, arg_views,
                               [self = shared_from_this(), keys](Result<store::RedisReply> reply) {
                                   self->answered(*keys, reply);
                               });
        if (sent) return;
        // Not queued (the pool is full or shutting down): these counts are dropped, this host's
        // own buckets still limit.
        warn(sent.error().message);
        call_done();
    }

    // On the Redis pool's thread: learns the TATs; the last reply of a batch sends the next.
    void answered(const std::vector<std::string>& keys, const Result<store::RedisReply>& reply) {
        if (reply && reply->type == store::RedisReply::Type::Array &&
            reply->elements.size() == keys.size()) {
            for (std::size_t i = 0; i < keys.size(); ++i) {
                const std::string& text = reply->elements[i].str;
                char* end = nullptr;
                const double tat = std::strtod(text.c_str(), &end);
                if (end != text.c_str()) buckets->learn(keys[i], tat);
            }
            if (counters.answers) counters.answers->inc();
            warning.succeeded();
        } else if (!reply) {
            warn(reply.error().message);
        } else if (reply->type == store::RedisReply::Type::Error) {
            warn(reply->str);
        }
        call_done();
    }

    // One call of the batch in flight is over; after the last one, what was counted meanwhile
    // goes out (or waits for the next count() when a refusal ended the batch early).
    void call_done() {
        PendingMap batch;
        std::int64_t now_ms = 0;
        {
            std::lock_guard lock(mutex);
            if (calls_in_flight > 0) --calls_in_flight;
            if (calls_in_flight > 0 || closed || !take_locked(batch, now_ms)) return;
        }
        send(batch, now_ms);
    }

    void warn(const std::string& message) {
        warning.failed("rate limits: shared buckets not updated (this host's still limit): " +
                       message);
    }

    store::ScriptRegistry& scripts;
    std::shared_ptr<RateBuckets> buckets;
    Counters counters;
    std::mutex mutex;
    PendingMap pending;               // counted, not yet sent
    std::size_t calls_in_flight = 0;  // calls of the current batch not answered yet
    bool closed = false;              // the owner is gone: send nothing more
    std::int64_t latest_now_ms = 0;   // of the requests counted
    observe::RepeatedWarning warning{"rate limits: shared buckets updated again",
                                     std::chrono::seconds(1)};
};

SharedBucketSync::SharedBucketSync(store::ScriptRegistry& scripts,
                                   std::shared_ptr<RateBuckets> buckets, Counters counters)
    : state_(std::make_shared<State>(scripts, std::move(buckets), counters)) {
    if (auto s = scripts.register_script(kScriptName, kScript); !s)
        spdlog::error("rate limit script: {}", s.error().message);
}

SharedBucketSync::~SharedBucketSync() {
    std::lock_guard lock(state_->mutex);
    state_->closed = true;
}

void SharedBucketSync::count(const std::string& key, std::int64_t now_ms, std::int64_t limit,
                             std::int64_t window_ms) {
    State::PendingMap batch;
    std::int64_t batch_now_ms = 0;
    {
        std::lock_guard lock(state_->mutex);
        state_->latest_now_ms = std::max(state_->latest_now_ms, now_ms);
        auto& pending = state_->pending[key];
        pending.limit = limit;
        pending.window_ms = window_ms;
        ++pending.count;
        if (state_->calls_in_flight > 0) return;  // the last reply in flight sends it
        if (!state_->take_locked(batch, batch_now_ms)) return;
    }
    state_->send(batch, batch_now_ms);
}

}  // namespace admit::runtime

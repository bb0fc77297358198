// AllowedSessions: sessions that passed the revocation check moments ago, so a buyer's next
// requests within `window` skip the Redis round trip of that check (in a sale, every buyer sends
// many requests a second with one token).
//
// Contract:
//   - an entry answers only for the same (session, user, token version) and only within
//     `window` of the check that stored it; only "allowed" verdicts are kept, never refusals;
//   - a revocation made on this host (forget_session, forget_all) takes effect at once, also
//     against a check that was in flight while it happened: remember() stores nothing when a
//     forget ran after the caller's epoch() was read;
//   - a revocation made on another host reaches this one through the revocation log, which the
//     follower reads every few hundred ms; each good read extends trust_until(). Past that
//     moment (the log could not be read) no entry answers, so a lost log never serves stale
//     verdicts. Without a follower, trust_forever() and keep `window` short: a revocation made
//     on another host then takes effect here within `window`;
//   - bounded: a shard that reaches capacity/kShards entries is cleared.
// A zero window disables it: allowed() never answers and remember() keeps nothing.
// Thread-safe: sharded mutexes.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace admit::auth {

class AllowedSessions {
  public:
    using Clock = std::chrono::steady_clock;

    AllowedSessions(std::chrono::milliseconds window, std::size_t capacity);

    /// Read before the check whose verdict is then remember()ed.
    uint64_t epoch() const noexcept { return epoch_.load(std::memory_order_acquire); }
    /// True when (session, user, version) was found not revoked within the window.
    bool allowed(const std::string& session, const std::string& user, int64_t version,
                 Clock::time_point now);
    /// Stores an "allowed" verdict reached at `now` by a check that began at `epoch_before`.
    void remember(const std::string& session, const std::string& user, int64_t version,
                  Clock::time_point now, uint64_t epoch_before);
    void forget_session(const std::string& session);
    void forget_all();
    /// Entries answer only until `moment` (extended by each good read of the revocation log).
    void trust_until(Clock::time_point moment) noexcept;
    void trust_forever() noexcept { trust_until(Clock::time_point::max()); }
    std::size_t size() const;

  private:
    static constexpr std::size_t kShards = 16;
    struct Entry {
        std::string user;
        int64_t version = 0;
        Clock::time_point checked;
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Entry> entries;
    };
    Shard& shard_of(const std::string& session);

    const std::chrono::milliseconds window_;
    const std::size_t per_shard_;
    std::atomic<uint64_t> epoch_{0};
    std::atomic<Clock::rep> trusted_until_{Clock::time_point::min().time_since_epoch().count()};
    std::array<Shard, kShards> shards_;
};

}  // namespace admit::auth

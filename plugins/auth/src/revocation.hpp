// Per-request revocation check: is the token's user suspended or changed since it was issued, or
// its session (refresh family) revoked?
//
// Redis holds the answer for one round trip per request:
//   auth:revocation:ready      present while the set below is complete (rebuilt when missing)
//   auth:user:<id>             "<token_version> <status>" for users changed by an admin
//   auth:session:<sid>         present for revoked sessions, expiring one access-token lifetime
//   later auth:revocation:log        a stream: "s <sid>" / "u <user id>" per revocation, for other
//   hosts
// PostgreSQL is the truth: when Redis fails, or has lost its data (no ready marker), the check
// reads PostgreSQL instead, and the set is rebuilt from it. When both fail the token is refused
// (fail closed). An "allowed" verdict is remembered for `allowed_window` (AllowedSessions): a
// revocation made through this host applies at once; one made through another host as soon as
// follow_log() reads it (every revocation_poll_ms), and no remembered verdict is used while the
// log cannot be read.
//
// Thread-safe.
#pragma once

#include "allowed_sessions.hpp"

#include <admit/sdk.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace admit::auth {

class Revocation {
  public:
    /// `session_block_seconds`: how long a revoked session stays blocked in Redis (>= the
    /// access-token lifetime). `allowed_window` 0: every request asks Redis.
    Revocation(sdk::Database& db, sdk::Redis& redis, int64_t session_block_seconds,
               std::chrono::milliseconds allowed_window, std::size_t allowed_capacity);

    /// Registers the Redis script it uses. [init]
    sdk::Status register_scripts();

    /// ok when a token of (user, session, version) may still be used; ADMIT_E_REJECTED otherwise;
    /// ADMIT_E_UNAVAILABLE when neither Redis nor PostgreSQL could answer.
    sdk::Status check(const std::string& user_id, const std::string& session_id, int64_t version,
                      int64_t now);

    /// Publishes an account change (after it committed in PostgreSQL). On a Redis failure the
    /// ready marker is dropped, so every checker falls back to PostgreSQL until the next rebuild.
    void user_changed(const std::string& user_id, int64_t version, const std::string& status);
    /// Blocks a revoked session (after the revocation committed).
    void session_revoked(const std::string& session_id);

    /// The epoch to read before a verdict is formed, for remember_issued (AllowedSessions::epoch).
    uint64_t epoch() const noexcept { return allowed_.epoch(); }
    /// Remembers a session that was checked (or created) in PostgreSQL, as a token is issued for
    /// it.
    void remember_issued(const std::string& user_id, const std::string& session_id, int64_t version,
                         uint64_t epoch_before);

    /// Reads the revocation log (auth:revocation:log, a Redis stream every revocation is appended
    /// to atomically with its entry) from where the last call stopped and forgets the verdicts it
    /// names. On success, remembered verdicts are trusted for `trust_for` from the start of this
    /// call; on failure (Redis down, set being rebuilt) they are forgotten and distrusted. One
    /// caller at a time (the follower thread).
    sdk::Status follow_log(std::chrono::milliseconds trust_for);
    /// Without a log follower: remembered verdicts are trusted for their whole window.
    void trust_without_log() noexcept { allowed_.trust_forever(); }

    /// Rewrites the Redis set from PostgreSQL and sets the ready marker.
    sdk::Status rebuild(int64_t now);

    /// Checks answered from PostgreSQL (Redis down or rebuilding), for metrics and tests.
    uint64_t fallbacks() const noexcept { return fallbacks_.load(std::memory_order_relaxed); }

  private:
    sdk::Status check_uncached(const std::string& user_id, const std::string& session_id,
                               int64_t version, int64_t now);
    sdk::Status check_in_database(const std::string& user_id, const std::string& session_id,
                                  int64_t version);
    void drop_ready_marker();

    sdk::Database& db_;
    sdk::Redis& redis_;
    int64_t session_block_seconds_;
    AllowedSessions allowed_;
    std::mutex rebuild_mutex_;
    std::string log_position_;  ///< last log entry id read; follower thread only
    bool log_trusted_ = false;  ///< follower thread only
    std::atomic<uint64_t> fallbacks_{0};
};

}  // namespace admit::auth

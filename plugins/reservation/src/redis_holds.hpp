// The Redis side of holds: key names and the four scripts (hold, release, sell, rebuild).
// Redis decides holds fast; PostgreSQL (claims table) has the last word. Thread-safe (the
// host's Redis access is).
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace admit::reservation {

/// Key names, all under "reservation:".
struct RedisKeys {
    static std::string epoch() { return "reservation:epoch"; }
    static std::string fence() { return "reservation:fence"; }
    static std::string marker(const std::string& schedule) {
        return "reservation:" + schedule + ":ready";
    }
    static std::string rebuild_lock(const std::string& schedule) {
        return "reservation:" + schedule + ":rebuilding";
    }
    static std::string seat(const std::string& schedule, const std::string& seat) {
        return "reservation:" + schedule + ":seat:" + seat;
    }
    static std::string free_units(const std::string& schedule, const std::string& grade) {
        return "reservation:" + schedule + ":ga:" + grade;
    }
    static std::string user(const std::string& schedule, const std::string& user) {
        return "reservation:" + schedule + ":user:" + user;
    }
    /// Holds `user` made on `schedule` in the current hoarding window (hold.lua).
    static std::string holds_made(const std::string& schedule, const std::string& user) {
        return "reservation:" + schedule + ":made:" + user;
    }
    static std::string idempotency(const std::string& user, const std::string& key) {
        return key.empty() ? std::string("reservation:idem:-")
                           : "reservation:idem:" + user + ":" + key;
    }
};

/// One hold as the hold script sees it.
struct HoldAttempt {
    std::string schedule_id;
    std::string user_id;
    std::string reservation_id;
    std::vector<std::string> seat_ids;  ///< empty: general admission of `grade_id`
    std::string grade_id;
    int64_t quantity = 0;
    int64_t max_per_user = 0;
    int64_t hold_ttl_ms = 0;
    std::string idempotency_key;      ///< empty: none
    int64_t max_holds_in_window = 0;  ///< holds per user and schedule in the window; 0: unbounded
    int64_t hold_window_ms = 0;       ///< length of that window
};

struct HoldDecision {
    enum class Kind { held, no_epoch, rebuild, duplicate, limit, hoarding, taken, sold_out };
    Kind kind = Kind::held;
    int64_t fencing_token = 0;       ///< held: epoch << 32 | counter
    std::vector<std::string> units;  ///< held, general admission: the unit ids claimed
    std::string duplicate_of;        ///< duplicate: the first reservation of this key
    std::string taken_seat;          ///< taken: the first seat found taken
    int64_t owned = 0;               ///< limit: tickets the user already holds
    int64_t holds_made = 0;          ///< hoarding: holds the user made in the window
};

/// What a release gives back (see release.lua).
struct HeldClaims {
    std::string schedule_id;
    std::string user_id;
    std::string reservation_id;
    bool general_admission = false;
    std::string grade_id;
    std::vector<std::string> claim_ids;  ///< seat ids, or GA unit ids
    int64_t quantity = 0;
    std::string idempotency_key;  ///< forgotten too when not empty (a refused hold)
};

class RedisHolds {
  public:
    explicit RedisHolds(sdk::Redis& redis) : redis_(redis) {}

    /// Registers the scripts. [init]
    sdk::Status register_scripts();

    sdk::Result<HoldDecision> hold(const HoldAttempt& attempt);
    /// Gives seats/units back unless the schedule was lost from Redis (the rebuild reads
    /// PostgreSQL).
    sdk::Status release(const HeldClaims& claims);
    /// Makes sold seats permanent (no TTL).
    sdk::Status sell(const std::string& schedule_id, const std::string& reservation_id,
                     const std::vector<std::string>& seat_ids);

    /// Drops the schedule's ready marker, so the next hold rebuilds it from PostgreSQL.
    sdk::Status forget_schedule(const std::string& schedule_id);

    /// The fencing epoch in Redis; nullopt when Redis has none (empty or lost its data).
    sdk::Result<std::optional<int64_t>> epoch();
    /// Sets the epoch unless another host already did (SET NX).
    sdk::Status offer_epoch(int64_t epoch);
    /// A short Redis lock so that only one host rebuilds a schedule; false when someone else holds
    /// it.
    sdk::Result<bool> lock_rebuild(const std::string& schedule_id);
    void unlock_rebuild(const std::string& schedule_id);
    /// Writes a schedule's state (rebuild.lua input) and marks the schedule ready.
    sdk::Status load_schedule(const std::string& schedule_id, const boost::json::object& state);
    /// True when the schedule is marked ready.
    sdk::Result<bool> ready(const std::string& schedule_id);

  private:
    sdk::Redis& redis_;
};

}  // namespace admit::reservation

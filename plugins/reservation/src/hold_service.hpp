// HoldService: POST /api/v1/reservations. Decides a hold with one Redis script (all-or-nothing,
// per-user limit, idempotency key, fencing token), then has the ClaimBatcher write it to
// PostgreSQL, which has the last word; answers only after the batch committed. Rebuilds a
// schedule's Redis state from PostgreSQL when Redis lost it. Thread-safe.
#pragma once

#include "claim_batcher.hpp"
#include "hold_request.hpp"
#include "redis_holds.hpp"
#include "reservation_store.hpp"
#include "sale_context.hpp"

#include <admit/sdk.hpp>

#include <chrono>
#include <mutex>
#include <unordered_map>

namespace admit::reservation {

struct HoldSettings {
    std::chrono::milliseconds commit_timeout{5000};  ///< longest wait for a batch to commit
    std::chrono::milliseconds redis_ttl_grace{
        60000};  ///< Redis keeps a hold this much past expiresAt
};

class HoldService {
  public:
    HoldService(sdk::Host& host, RedisHolds& redis, ReservationStore& store, ClaimBatcher& batcher,
                SaleContextCache& contexts, HoldSettings settings)
        : host_(host),
          redis_(redis),
          store_(store),
          batcher_(batcher),
          contexts_(contexts),
          settings_(settings) {}

    sdk::Response create(const sdk::Request& request);

    /// Readies a schedule for its sale before the first buyer: loads its sale context into the
    /// cache and its hold state into Redis (from PostgreSQL) unless Redis has it. Idempotent.
    /// An unknown schedule is not an error (nothing to ready).
    sdk::Status prime(const std::string& schedule_id);

    /// Makes sure Redis has a fencing epoch; when it has none (empty, or it lost its data) bumps
    /// the epoch in PostgreSQL and offers the new one to Redis.
    sdk::Status ensure_epoch();

  private:
    struct Pricing {
        boost::json::array items;
        int64_t subtotal = 0;
        int64_t fees = 0;
        std::string currency = "KRW";
        int64_t hold_seconds = 300;
        int64_t max_per_user = 4;
        int64_t max_holds_in_window = 0;  ///< 0: unbounded
        int64_t hold_window_seconds = 0;
        boost::json::object revisions;
    };
    /// Hold seconds, max per user, the hoarding bound (holds per user in a window) and their
    /// revisions for a schedule, cached for 1 s.
    struct PolicyFacts {
        std::chrono::steady_clock::time_point fetched;
        int64_t hold_seconds = 300;
        int64_t max_per_user = 4;
        int64_t max_holds_in_window = 0;  ///< limits.lua maxHoldsPerWindow; absent: unbounded
        int64_t hold_window_seconds = 0;  ///< limits.lua holdWindowSeconds
        boost::json::object revisions;
    };
    PolicyFacts policy_facts(const SaleContext& context);
    /// Prices and the expiry and limits decisions (everything the hold script needs).
    sdk::Result<Pricing> price(const HoldRequest& hold, const SaleContext& context);
    /// The fees policy for the caller's tier, added to `pricing`.
    sdk::Status add_fees(Pricing& pricing, int64_t quantity, std::string_view tier);
    /// Loads a schedule's live claims from PostgreSQL into Redis (one host at a time).
    sdk::Status rebuild(const SaleContext& context);
    /// Writes the hold through the batcher. Answers later when the host can (the worker is free
    /// while the batch commits: Response::later()), else waits for the batch.
    sdk::Response finish(const sdk::Request& request, const HoldRequest& hold,
                         const SaleContext& context, HoldRecord record, const HeldClaims& claims);
    /// The answer to a hold whose batch ended with `outcome`. `wait_for_replay`: a duplicate key
    /// may wait for the first request's batch (never on a batch writer's thread).
    sdk::Response answer(BatchOutcome outcome, const HoldRequest& hold, bool general_admission,
                         const ReservationRow& row, const HeldClaims& claims, bool wait_for_replay);
    /// The first answer to `key` of `user_id` (201 with Idempotent-Replayed: true), once its batch
    /// committed; 422 IDEMPOTENCY_KEY_REUSED when that reservation is not what `hold` asks for
    /// (the key was reused for another request: never hand back seat 1 to a buyer asking for
    /// seat 2); 409 IDEMPOTENCY_IN_FLIGHT while the first request is still being written.
    sdk::Response replay(const std::string& user_id, const std::string& key,
                         const HoldRequest& hold, bool wait = true);

    sdk::Host& host_;
    RedisHolds& redis_;
    ReservationStore& store_;
    ClaimBatcher& batcher_;
    SaleContextCache& contexts_;
    HoldSettings settings_;
    std::timed_mutex rebuild_mutex_;
    std::mutex policy_mutex_;
    std::unordered_map<std::string, PolicyFacts> policy_facts_;
};

/// The row a committed HoldRecord became (for the 201 body without reading it back).
ReservationRow row_of(const HoldRecord& record);

}  // namespace admit::reservation

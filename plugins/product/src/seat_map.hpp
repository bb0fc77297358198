// The seat map of a schedule (GET /api/v1/schedules/{id}/seats): the hot path of the platform.
//
// Where the data lives:
//   - static part (seats, labels, grades, prices, coordinates): ScheduleFacts, per host, cached;
//   - seat status: Redis hash "product:seats:{scheduleId}" (field seatId -> HELD|SOLD, absent =
//     AVAILABLE; field "r:{gradeId}" -> remaining units; field "_v" -> version, bumped by every
//     change), written by the reservation.* subscriber through apply();
//   - the rendered body: per host, re-checked against "_v" at most once per `ttl`.
// So a request costs a memory copy; once per ttl one request per host asks Redis for "_v"
// (and re-renders when it moved). Staleness bound: a change is visible on every host at most
// `ttl` (default 200 ms) after the subscriber wrote it to Redis; on the host that applied it, at
// once (and on a host relaying it to its streams, when it does: invalidate()). When Redis lost the
// hash it is rebuilt from PostgreSQL (product.seat_states and product.schedule_grades); when Redis
// is down the body is rendered from PostgreSQL.
//
// Thread-safety: every member is safe to call from any thread.
#pragma once

#include "schedule_facts.hpp"
#include "seat_change.hpp"

#include <admit/sdk.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace admit::product {

struct SeatMapView {
    std::shared_ptr<const std::string> body;  ///< compact JSON, see README
    std::shared_ptr<const ScheduleFacts> facts;
    std::shared_ptr<const std::string> gzip_body;  ///< `body` gzipped; null if zlib failed
    std::string etag;                              ///< strong tag of `body`
    std::string gzip_etag;                         ///< strong tag of `gzip_body`
    std::string version;  ///< the map version rendered ("pg": read from PostgreSQL)
};

/// What a host's relay reads of a schedule's change list (changes_after).
struct ChangesAfter {
    int64_t current = 0;               ///< the map's version now
    std::vector<std::string> entries;  ///< "<version> <record>", oldest first
};

class SeatMap {
  public:
    SeatMap(admit::sdk::Host& host, FactsCache& facts, std::chrono::milliseconds ttl)
        : host_(host), facts_(facts), ttl_(ttl) {}

    /// Registers the Redis scripts. [init]
    admit::sdk::Status register_scripts();

    /// The current body of `schedule_id` (ADMIT_E_NOT_FOUND for an unknown schedule).
    admit::sdk::Result<SeatMapView> view(const std::string& schedule_id);

    /// Records a committed change in Redis: the seats' status and the grades' remaining units in
    /// the hash, and the change itself in the schedule's change list (the last kKeptChanges are
    /// kept), both with the version bump, in one script. Returns the version the change
    /// produced, or nullopt when Redis did not take it. Failures are logged (PostgreSQL stays
    /// the record; a lost hash is rebuilt from it).
    std::optional<int64_t> apply(const SeatChange& change);

    /// The map's current version and, after `sent` (a version this host's streams saw), the list
    /// entries newer than it, oldest first (without `sent`: none). nullopt when Redis holds no
    /// map of the schedule (ensure_loaded rebuilds it).
    admit::sdk::Result<std::optional<ChangesAfter>> changes_after(const std::string& schedule_id,
                                                                  std::optional<int64_t> sent);

    /// The next view() of `schedule_id` on this host re-checks Redis.
    void invalidate(const std::string& schedule_id);

    /// Creates the Redis hash from PostgreSQL if it does not exist (after approval).
    void ensure_loaded(const std::string& schedule_id);

    static std::string redis_key(const std::string& schedule_id) {
        return "product:seats:" + schedule_id;
    }
    /// The change list: "<version> <record>" entries (seat_change.hpp), oldest first.
    static std::string changes_key(const std::string& schedule_id) {
        return "product:seats:" + schedule_id + ":changes";
    }
    /// Changes kept per schedule. A relay period (50 ms) sees a few: in a sale the subscriber
    /// writes a delivery transaction's holds as one change. A host that fell further behind
    /// sends its streams a snapshot instead.
    static constexpr int64_t kKeptChanges = 128;

  private:
    struct Entry {
        std::mutex mutex;
        SeatMapView view;  // body null until first rendered
        std::string version;
        std::chrono::steady_clock::time_point checked_at;
        std::atomic<bool> refreshing{false};
    };
    using Fields = std::unordered_map<std::string, std::string>;

    std::shared_ptr<Entry> entry(const std::string& schedule_id);
    admit::sdk::Result<SeatMapView> refresh(const std::string& schedule_id, Entry& entry);
    admit::sdk::Result<Fields> state_from_postgres(const std::string& schedule_id);
    admit::sdk::Result<Fields> state_from_redis(const std::string& schedule_id);
    static std::string render(const ScheduleFacts& facts, const Fields& state,
                              const std::string& version);

    admit::sdk::Host& host_;
    FactsCache& facts_;
    std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace admit::product

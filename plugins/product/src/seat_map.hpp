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
// once. When Redis lost the hash it is rebuilt from PostgreSQL (product.seat_states and
// product.schedule_grades); when Redis is down the body is rendered from PostgreSQL.
//
// Thread-safety: every member is safe to call from any thread.
#pragma once

#include "schedule_facts.hpp"

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
};

class SeatMap {
  public:
    SeatMap(admit::sdk::Host& host, FactsCache& facts, std::chrono::milliseconds ttl)
        : host_(host), facts_(facts), ttl_(ttl) {}

    /// Registers the Redis scripts. [init]
    admit::sdk::Status register_scripts();

    /// The current body of `schedule_id` (ADMIT_E_NOT_FOUND for an unknown schedule).
    admit::sdk::Result<SeatMapView> view(const std::string& schedule_id);

    /// Records seat and stock changes in Redis: `seat_status` ("HELD", "SOLD", or "" for
    /// AVAILABLE) for `seat_ids`, and absolute remaining units per grade id. Returns the map
    /// version the change produced (the SSE event id), or nullopt when Redis did not take it.
    /// Failures are logged (PostgreSQL stays the record; a lost hash is rebuilt from it).
    std::optional<std::string> apply(const std::string& schedule_id, const std::string& seat_status,
                                     const std::vector<std::string>& seat_ids,
                                     const std::map<std::string, int64_t>& remaining_by_grade);

    /// Creates the Redis hash from PostgreSQL if it does not exist (after approval).
    void ensure_loaded(const std::string& schedule_id);

    static std::string redis_key(const std::string& schedule_id) {
        return "product:seats:" + schedule_id;
    }

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

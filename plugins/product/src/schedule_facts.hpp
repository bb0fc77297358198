// What a schedule is, as the seat map and product.sale_context need it: the product's status
// and window, its grades and prices, and its static seat list. Loaded from PostgreSQL and cached
// per host for a short time (see FactsCache).
#pragma once

#include <admit/sdk.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace admit::product {

struct GradeFacts {
    std::string grade_id;
    std::string name;
    int64_t price_amount = 0;
    std::string currency;
    int64_t total = 0;
};

struct SeatFacts {
    std::string seat_id;
    std::string label;
    std::size_t grade_index = 0;
    double x = 0;
    double y = 0;
    std::string rendered_prefix;  ///< `["seat_..","A-A-1",0,1.0,2.0,"` (status and `"]` follow)
};

/// Immutable once built; shared between threads through shared_ptr<const ScheduleFacts>.
struct ScheduleFacts {
    std::string schedule_id;
    std::string product_id;
    std::string seller_id;
    std::string title;
    std::string status;
    std::string category;
    std::string seating;
    int64_t starts_at_us = 0;
    int64_t sale_starts_us = 0;
    int64_t sale_ends_us = 0;
    bool queue_required = false;  ///< holds need an entry token from the waiting room
    std::vector<GradeFacts> grades;
    std::vector<SeatFacts> seats;

    /// Index of grade `grade_id`, or -1.
    int grade_index(std::string_view grade_id) const;
};

/// Loads the facts of `schedule_id`; ADMIT_E_NOT_FOUND when the schedule does not exist.
admit::sdk::Result<std::shared_ptr<const ScheduleFacts>> load_schedule_facts(
    admit::sdk::Host& host, const std::string& schedule_id);

/// A per-host cache of ScheduleFacts with a time-to-live. Thread-safe. invalidate_product() drops
/// this host's entries at once after a local change; other hosts see changes within the TTL.
class FactsCache {
  public:
    FactsCache(admit::sdk::Host& host, std::chrono::milliseconds ttl) : host_(host), ttl_(ttl) {}

    admit::sdk::Result<std::shared_ptr<const ScheduleFacts>> get(const std::string& schedule_id);
    void invalidate_product(const std::string& product_id);

  private:
    struct Entry {
        std::shared_ptr<const ScheduleFacts> facts;
        std::chrono::steady_clock::time_point loaded_at;
    };
    admit::sdk::Host& host_;
    std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace admit::product

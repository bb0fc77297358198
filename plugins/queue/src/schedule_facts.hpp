// What the queue needs to know about a schedule from the catalog (product.sale_context): whether
// it exists, whether it requires the waiting room, when its sale starts and how many units it has.
// Cached per schedule for `ttl`; an unknown schedule is cached too. Thread-safe.
#pragma once

#include <admit/sdk.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace admit::queue {

struct ScheduleFacts {
    std::string schedule_id;
    std::string category;
    std::string product_status;   ///< sale_context.productStatus ("" when absent)
    std::string seller_id;        ///< sale_context.sellerId
    bool queue_required = false;  ///< sale_context.queueRequired

    /// False while the product is not public (DRAFT, PENDING, CANCELLED, ...): its waiting room
    /// exists only for its seller and admins. An absent status is public.
    bool published() const {
        return product_status.empty() || product_status == "SCHEDULED" ||
               product_status == "ON_SALE" || product_status == "CLOSED" ||
               product_status == "COMPLETED";
    }
    std::optional<int64_t> sale_starts_us;
    int64_t capacity = 0;  ///< seats (reserved seating) or the sum of grade totals (GA)
};

/// Parses a product.sale_context answer; ADMIT_E_INTERNAL naming what was malformed.
sdk::Result<ScheduleFacts> parse_schedule_facts(const boost::json::value& answer);

class ScheduleFactsCache {
  public:
    using Fetch = std::function<sdk::Result<boost::json::value>(const std::string& schedule_id)>;
    ScheduleFactsCache(Fetch fetch, std::chrono::milliseconds ttl)
        : fetch_(std::move(fetch)), ttl_(ttl) {}

    /// The facts, or the fetch's error (NOT_FOUND for an unknown schedule).
    sdk::Result<std::shared_ptr<const ScheduleFacts>> get(const std::string& schedule_id);

  private:
    struct Entry {
        std::chrono::steady_clock::time_point fetched;
        std::shared_ptr<const ScheduleFacts> facts;
        sdk::Error error;
    };
    Fetch fetch_;
    std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace admit::queue

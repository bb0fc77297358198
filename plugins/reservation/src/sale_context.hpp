// The facts a hold needs about a schedule (product.sale_context), parsed and cached per schedule.
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

namespace admit::reservation {

struct Grade {
    std::string name;
    int64_t price = 0;
    std::string currency = "KRW";
    int64_t total = 0;
};

struct Seat {
    std::string grade_id;
    std::string label;
};

struct SaleContext {
    std::string schedule_id;
    std::string product_id;
    std::string product_status;
    std::string seller_id;
    std::string category;
    bool general_admission = false;
    std::optional<int64_t> starts_us;
    std::optional<int64_t> sale_starts_us;
    std::optional<int64_t> sale_ends_us;
    std::unordered_map<std::string, Grade> grades;
    std::unordered_map<std::string, Seat> seats;
    /// Holds need an entry token from the schedule's waiting room (see entry_gate.hpp).
    bool queue_required = false;

    /// `now_us` inside the sale window (an absent bound is open) and the product ON_SALE, or
    /// SCHEDULED with its sale start passed (the status move follows on the product's job tick).
    bool on_sale(int64_t now_us) const;
    /// False while the product is not public (DRAFT, PENDING, CANCELLED, ...: the product plugin
    /// answers 404 for it to everyone but its seller and admins); an absent status is public.
    bool published() const;
};

/// Parses the product.sale_context answer; ADMIT_E_INTERNAL naming what was malformed.
sdk::Result<SaleContext> parse_sale_context(const boost::json::value& answer);

/// Caches product.sale_context per schedule for `ttl` (wall time). Thread-safe; misses are
/// fetched one at a time, so a burst of requests for a new schedule costs one call. A NOT_FOUND
/// answer is cached too (as the error), so unknown schedules cost one call per ttl.
/// An expired entry is refreshed by one caller while the others keep getting it (stale while
/// revalidating): a refresh never stalls the sale. Staleness bound: ttl + one fetch.
class SaleContextCache {
  public:
    using Fetch = std::function<sdk::Result<boost::json::value>(const std::string& schedule_id)>;

    /// `max_unknown`: schedule ids that do not exist are remembered (so a flood of them does not
    /// reach the product plugin) up to this many; past it they are forgotten, so a client making
    /// up ids cannot grow the cache without bound.
    SaleContextCache(Fetch fetch, std::chrono::milliseconds ttl, std::size_t max_unknown = 10'000)
        : fetch_(std::move(fetch)), ttl_(ttl), max_unknown_(max_unknown) {}

    sdk::Result<std::shared_ptr<const SaleContext>> get(const std::string& schedule_id);

    /// Schedules (known and unknown) remembered now.
    std::size_t size() const;

  private:
    struct Entry {
        std::chrono::steady_clock::time_point fetched;
        std::shared_ptr<const SaleContext> context;  ///< null: `error` holds the cached failure
        sdk::Error error;
    };
    /// The fetch lock of one schedule (single flight per schedule: one slow schedule never holds
    /// up the first fetch of another).
    std::shared_ptr<std::mutex> fetch_lock(const std::string& schedule_id);
    void store(const std::string& schedule_id, const Entry& entry);  // under mutex_

    Fetch fetch_;
    std::chrono::milliseconds ttl_;
    std::size_t max_unknown_;
    mutable std::mutex mutex_;  ///< guards the maps below; never held while fetching
    std::unordered_map<std::string, Entry> entries_;
    std::size_t unknown_ = 0;  ///< entries_ that hold a NOT_FOUND
    std::unordered_map<std::string, std::weak_ptr<std::mutex>> fetching_;
};

}  // namespace admit::reservation

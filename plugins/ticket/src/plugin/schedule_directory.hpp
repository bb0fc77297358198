// What the ticket plugin knows of a schedule: product, seller, title, start, and the gate window
// (doors open -> the performance has ended), taken from product.sale_context at first use and
// kept in ticket.schedules, so gate kits and check-ins never depend on the product plugin.
//
// The window: valid_from = startsAt - doors_open_seconds; valid_until = the context's endsAt
// when it has one, otherwise startsAt + duration_seconds. Thread-safe (no mutable state).
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace admit::ticket {

struct ScheduleTiming {
    int64_t doors_open_seconds = 3 * 3600;
    int64_t duration_seconds = 4 * 3600;
};

struct ScheduleFacts {
    std::string schedule_id;
    std::string product_id;
    std::string seller_id;
    std::string title;
    int64_t starts_us = 0;
    int64_t valid_from_us = 0;
    int64_t valid_until_us = 0;
    bool cancelled = false;
};

/// The facts of a product.sale_context answer; ADMIT_E_INVALID_ARGUMENT naming a missing field.
sdk::Result<ScheduleFacts> facts_from_sale_context(const boost::json::value& context,
                                                   const ScheduleTiming& timing);

class ScheduleDirectory {
  public:
    ScheduleDirectory(sdk::Host& host, ScheduleTiming timing) : host_(host), timing_(timing) {}

    /// The stored facts (nullopt when this plugin has never seen the schedule).
    sdk::Result<std::optional<ScheduleFacts>> find(const std::string& schedule_id);
    /// The stored facts, or product.sale_context's, stored now. ADMIT_E_NOT_FOUND when the
    /// product plugin does not know the schedule either (or is not loaded).
    sdk::Result<ScheduleFacts> resolve(const std::string& schedule_id);
    /// Inserts the facts (a known schedule keeps its row) inside `tx`.
    sdk::Status store(sdk::Tx& tx, const ScheduleFacts& facts);
    /// Marks schedules cancelled inside `tx` (tickets issued later for them are born cancelled).
    sdk::Status mark_cancelled(sdk::Tx& tx, const std::string& schedule_ids_json);

    const ScheduleTiming& timing() const noexcept { return timing_; }

  private:
    sdk::Host& host_;
    ScheduleTiming timing_;
};

}  // namespace admit::ticket

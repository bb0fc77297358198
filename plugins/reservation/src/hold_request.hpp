// The body of POST /api/v1/reservations, validated: every refusal names the field.
#pragma once

#include "reservation_store.hpp"
#include "sale_context.hpp"

#include <admit/sdk.hpp>

#include <optional>
#include <string>
#include <vector>

namespace admit::reservation {

/// Largest seat list or quantity one request may ask for (the limits policy usually caps lower).
inline constexpr int64_t max_items_per_hold = 20;

struct HoldRequest {
    std::string schedule_id;
    std::vector<std::string> seat_ids;  ///< reserved seating; empty for general admission
    std::string grade_id;               ///< general admission only
    int64_t quantity = 0;               ///< seats or units asked for
    bool general_admission() const { return seat_ids.empty(); }
};

/// True when `reservation` is what `hold` asks for: the same schedule and the same set of seats
/// (in any order), or the same grade and quantity. What decides whether a repeated
/// Idempotency-Key is a replay or a reuse for another request.
bool same_request(const HoldRequest& hold, const ReservationRow& reservation);

/// `{scheduleId, seatIds[]}` or `{scheduleId, gradeId, quantity}`; ADMIT_E_INVALID_ARGUMENT naming
/// the field.
sdk::Result<HoldRequest> parse_hold_request(const boost::json::object& body);

/// Checks the request against the schedule (seating kind, known seats and grade);
/// ADMIT_E_INVALID_ARGUMENT naming the field.
sdk::Status check_against(const HoldRequest& request, const SaleContext& context);

}  // namespace admit::reservation

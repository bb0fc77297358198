// Validation of product request bodies and the assignment of stage seats to grades (pure).
// Every error is ADMIT_E_INVALID_ARGUMENT naming the field (-> 400 INVALID_REQUEST).
#pragma once

#include <admit/sdk/result.hpp>
#include <admit/sdk/time_text.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace admit::product {

using admit::sdk::Result;

struct Money {
    int64_t amount = 0;
    std::string currency;
};

struct GradeInput {
    std::string name;
    Money price;
    std::string stage_grade;  ///< layout grade whose seats belong here (default: name)
    std::optional<std::vector<std::string>> seat_ids;  ///< explicit seats, overriding stage_grade
    std::optional<int64_t> quantity;                   ///< general admission stock
};

struct ScheduleInput {
    int64_t starts_us = 0;
    int64_t duration_minutes = 120;
    bool queue_required = false;  ///< holds need an entry token from the waiting room
};

/// A product body. For PATCH every member is optional (nullopt/empty = unchanged).
struct ProductInput {
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::string> category;
    std::optional<std::string> stage_id;
    std::optional<std::string> seating;  ///< RESERVED | GENERAL_ADMISSION
    std::optional<int64_t> sale_starts_us;
    std::optional<int64_t> sale_ends_us;
    std::optional<std::vector<GradeInput>> grades;
    std::vector<ScheduleInput> schedules;
};

/// Parses a create (`for_create`: title, category, stageId, saleStartsAt, saleEndsAt, grades
/// required) or PATCH body. `currency` is the venue currency every price must use.
Result<ProductInput> parse_product(const boost::json::object& body, bool for_create,
                                   const std::string& currency);

/// {"startsAt": RFC3339, "durationMinutes": 1..1440 (default 120)}; `where` prefixes field names.
Result<ScheduleInput> parse_schedule(const boost::json::object& body, const std::string& where);

/// A seat of the stage as arthall.stage_seats describes it.
struct StageSeat {
    std::string seat_id;
    std::string label;
    double x = 0;
    double y = 0;
    std::string grade;
};

/// Seats of grade `grades[i]` are `assignment[i]` (indexes into `seats`), in stage order.
using SeatAssignment = std::vector<std::vector<std::size_t>>;

/// Assigns seats to reserved-seating grades: explicit seatIds first, then the layout grade. A seat
/// in two grades, an unknown seat id or a grade without seats is an error naming grades[i].
Result<SeatAssignment> assign_seats(const std::vector<GradeInput>& grades,
                                    const std::vector<StageSeat>& seats);

using admit::sdk::format_rfc3339;  // second precision ("2026-05-01T19:30:00Z")
using admit::sdk::parse_rfc3339;

}  // namespace admit::product

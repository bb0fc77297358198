#include "hold_request.hpp"

#include <algorithm>
#include <unordered_set>

namespace admit::reservation {

namespace fields = sdk::fields;

sdk::Result<HoldRequest> parse_hold_request(const boost::json::object& body) {
    HoldRequest request;
    auto schedule = fields::required_string(body, "scheduleId");
    if (!schedule) return std::move(schedule).error();
    if (schedule->size() > 100)
        return sdk::Error::invalid("field 'scheduleId' is longer than 100 characters");
    request.schedule_id = std::move(*schedule);

    const auto* seats = body.if_contains("seatIds");
    if (seats != nullptr && !seats->is_null()) {
        auto list = fields::required_string_array(body, "seatIds");
        if (!list) return std::move(list).error();
        if (static_cast<int64_t>(list->size()) > max_items_per_hold) {
            return sdk::Error::invalid("field 'seatIds' may name at most " +
                                       std::to_string(max_items_per_hold) + " seats");
        }
        std::unordered_set<std::string> seen;
        for (const auto& seat : *list) {
            if (seat.empty() || seat.size() > 100)
                return sdk::Error::invalid("field 'seatIds' holds an empty or overlong id");
            if (!seen.insert(seat).second)
                return sdk::Error::invalid("field 'seatIds' names seat '" + seat + "' twice");
        }
        for (const char* other : {"gradeId", "quantity"}) {
            const auto* value = body.if_contains(other);
            if (value != nullptr && !value->is_null()) {
                return sdk::Error::invalid(std::string("field '") + other +
                                           "' must not be given with 'seatIds'");
            }
        }
        request.quantity = static_cast<int64_t>(list->size());
        request.seat_ids = std::move(*list);
        return request;
    }
    auto grade = fields::required_string(body, "gradeId");
    if (!grade)
        return sdk::Error::invalid("field 'seatIds' or 'gradeId' is required: " +
                                   grade.error().message);
    if (grade->size() > 100)
        return sdk::Error::invalid("field 'gradeId' is longer than 100 characters");
    auto quantity = fields::required_int(body, "quantity", 1, max_items_per_hold);
    if (!quantity) return std::move(quantity).error();
    request.grade_id = std::move(*grade);
    request.quantity = *quantity;
    return request;
}

sdk::Status check_against(const HoldRequest& request, const SaleContext& context) {
    if (context.general_admission) {
        if (!request.general_admission()) {
            return sdk::Error::invalid(
                "field 'seatIds' is not allowed: the schedule is general admission (use gradeId "
                "and quantity)");
        }
        if (context.grades.find(request.grade_id) == context.grades.end()) {
            return sdk::Error::invalid("field 'gradeId' names no grade of this schedule: " +
                                       request.grade_id);
        }
        return {};
    }
    if (request.general_admission()) {
        return sdk::Error::invalid(
            "field 'seatIds' is required: the schedule has reserved seating");
    }
    for (const auto& seat : request.seat_ids) {
        if (context.seats.find(seat) == context.seats.end()) {
            return sdk::Error::invalid("field 'seatIds' names no seat of this schedule: " + seat);
        }
    }
    return {};
}

bool same_request(const HoldRequest& hold, const ReservationRow& reservation) {
    if (hold.schedule_id != reservation.schedule_id) return false;
    if (hold.general_admission() != reservation.general_admission) return false;
    if (reservation.general_admission)
        return hold.grade_id == reservation.grade_id && hold.quantity == reservation.quantity;
    std::vector<std::string> asked = hold.seat_ids;
    std::vector<std::string> held = reservation.claim_ids;
    std::sort(asked.begin(), asked.end());
    std::sort(held.begin(), held.end());
    return asked == held;
}

}  // namespace admit::reservation

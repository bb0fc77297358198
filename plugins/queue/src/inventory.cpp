#include "inventory.hpp"

#include <algorithm>

namespace admit::queue {

namespace {

int64_t units_of(const boost::json::object& payload) {
    int64_t units = 0;
    if (const auto* q = payload.if_contains("quantity"); q && q->is_int64()) units = q->as_int64();
    if (const auto* seats = payload.if_contains("seatIds"); seats && seats->is_array())
        units = std::max<int64_t>(units, static_cast<int64_t>(seats->as_array().size()));
    return units;
}

std::string text_of(const boost::json::object& payload, std::string_view key) {
    const auto* value = payload.if_contains(key);
    return value && value->is_string() ? std::string(value->as_string()) : std::string{};
}

}  // namespace

sdk::Status follow_reservation(sdk::Tx& tx, const sdk::Event& event) {
    auto parsed = event.json();
    if (!parsed || !parsed->is_object()) return {};  // malformed: nothing to follow
    const auto& payload = parsed->as_object();
    const std::string topic(event.topic());
    const std::string reservation = text_of(payload, "reservationId");
    const std::string schedule = text_of(payload, "scheduleId");
    if (reservation.empty() || schedule.empty()) return {};
    const int64_t units = units_of(payload);
    if (topic == "reservation.held") {
        auto held = tx.exec(
            "INSERT INTO queue.holds (reservation_id, schedule_id, units, expires_at) VALUES ($1, "
            "$2, $3, $4::timestamptz) ON CONFLICT DO NOTHING",
            reservation, schedule, units, text_of(payload, "expiresAt"));
        if (!held) return std::move(held).error();
        auto converted = tx.exec(
            "UPDATE queue.joins SET converted = true WHERE schedule_id = $1 AND user_id = $2 AND "
            "state = 'ADMITTED' AND NOT converted",
            schedule, text_of(payload, "userId"));
        if (!converted) return std::move(converted).error();
        return {};
    }
    if (topic == "reservation.released") {
        auto released = tx.exec("DELETE FROM queue.holds WHERE reservation_id = $1", reservation);
        if (!released) return std::move(released).error();
        return {};
    }
    if (topic == "reservation.confirmed" || topic == "reservation.cancelled") {
        if (topic == "reservation.confirmed") {
            auto done = tx.exec("DELETE FROM queue.holds WHERE reservation_id = $1", reservation);
            if (!done) return std::move(done).error();
        }
        const int64_t delta = topic == "reservation.confirmed" ? units : -units;
        auto sold = tx.exec(
            "INSERT INTO queue.sales (schedule_id, sold) VALUES ($1, GREATEST($2::bigint, 0)) "
            "ON CONFLICT (schedule_id) DO UPDATE SET sold = GREATEST(queue.sales.sold + $2, 0)",
            schedule, delta);
        if (!sold) return std::move(sold).error();
    }
    return {};
}

}  // namespace admit::queue

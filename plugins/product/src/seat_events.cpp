// The reservation.* subscriber: keeps seat status (product.seat_states, Redis) and grade counts
// (product.schedule_grades) current, and streams each change on SSE topic "seats:{scheduleId}".
//
// Transitions per seat (or per GA reservation), keyed by the reservation that owns it:
//   held:      AVAILABLE -> HELD                      (held+1)
//   confirmed: HELD(same) -> SOLD (held-1, sold+1); AVAILABLE -> SOLD (sold+1)
//   released:  HELD(same) -> AVAILABLE (held-1)
//   cancelled: SOLD(same) or HELD(same) -> AVAILABLE (sold-1 / held-1)
// Anything else is already in the target state and changes nothing, so a redelivered event is
// harmless. Events of one schedule are ordered (key = scheduleId) and the schedule row is locked.
// The holds (AVAILABLE -> HELD, nearly every event of a sale) are written together per delivery
// transaction (seat_batch.hpp); every other event writes those first, then itself.
#include "product_plugin.hpp"

#include <map>

namespace admit::product {

using admit::sdk::Error;

namespace {

struct Delta {
    int64_t held = 0;
    int64_t sold = 0;
};

std::optional<std::string> target_of(std::string_view topic) {
    if (topic == "reservation.held") return std::string("HELD");
    if (topic == "reservation.confirmed") return std::string("SOLD");
    if (topic == "reservation.released" || topic == "reservation.cancelled") return std::string();
    return std::nullopt;
}

/// The change of (held, sold) when a unit goes from `current` to `target` ("" = AVAILABLE).
std::optional<Delta> transition(const std::string& current, bool same_reservation,
                                const std::string& target) {
    if (current == target) return std::nullopt;
    if (target == "HELD") return current.empty() ? std::optional<Delta>(Delta{1, 0}) : std::nullopt;
    if (target == "SOLD") {
        if (current.empty()) return Delta{0, 1};
        if (current == "HELD" && same_reservation) return Delta{-1, 1};
        return std::nullopt;
    }
    if (!same_reservation) return std::nullopt;  // releasing: only what this reservation owns
    return current == "HELD" ? std::optional<Delta>(Delta{-1, 0})
                             : std::optional<Delta>(Delta{0, -1});
}

/// The strings of array field `key` (others and non-strings are skipped).
std::vector<std::string> text_list(const boost::json::object& payload, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* items = payload.if_contains(key); items != nullptr && items->is_array()) {
        for (const auto& item : items->as_array()) {
            if (item.is_string()) out.emplace_back(item.as_string());
        }
    }
    return out;
}

std::string json_list(const std::vector<std::string>& items) {
    boost::json::array out;
    for (const auto& item : items) out.push_back(boost::json::string(item));
    return boost::json::serialize(out);
}

}  // namespace

Status ProductPlugin::on_reservation_event(Tx& tx, const admit::sdk::Event& event) {
    const auto target = target_of(event.topic());
    if (!target) return {};  // other reservation events do not change availability
    auto parsed = event.json();
    if (!parsed || !parsed->is_object()) {
        host_->error("ignoring malformed ", event.topic(), " event ", event.id());
        return {};
    }
    const auto& p = parsed->as_object();
    auto text_of = [&](std::string_view key) -> std::string {
        const auto* v = p.if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    const std::string schedule_id = text_of("scheduleId");
    const std::string reservation_id = text_of("reservationId");
    auto schedule = seat_batch_->schedule(tx, schedule_id);
    if (!schedule) return std::move(schedule).error();
    if (!*schedule || reservation_id.empty()) {
        host_->warn("ignoring ", event.topic(), " for unknown schedule '", schedule_id, "'");
        return {};
    }
    const std::string product_id = (*schedule)->product_id;
    const bool reserved = (*schedule)->reserved;
    const auto* q = p.if_contains("quantity");
    const int64_t quantity = q != nullptr && q->is_int64() ? q->as_int64() : 0;
    // The common case of a sale: AVAILABLE -> HELD, written with the transaction's other holds
    // (seat_batch.hpp). Anything else first writes those, then itself, in delivery order.
    if (*target == "HELD") {
        return seat_batch_->add_held(
            tx, schedule_id, reservation_id,
            reserved ? text_list(p, "seatIds") : std::vector<std::string>(), text_of("gradeId"),
            quantity);
    }
    if (auto s = seat_batch_->flush(tx); !s) return s;

    std::map<std::string, Delta> deltas;  // per grade id
    std::vector<std::string> changed;     // seat ids whose status changed
    std::map<std::string, int64_t> remaining;
    if (reserved) {
        const std::vector<std::string> seat_ids = text_list(p, "seatIds");
        // One primary-key lookup per seat whatever the statistics say: the LATERAL ... LIMIT 1
        // subqueries cannot be flattened into joins. Plain joins (or "= ANY(...)") let a custom
        // plan, misled by a new product's stale row estimates, read all of its seats and states
        // per event (about 1 ms instead of 0.05 ms).
        auto current = tx.exec(
            "SELECT gs.seat_id, gs.grade_id, coalesce(ss.status, '') AS status, "
            "coalesce(ss.reservation_id, '') AS reservation_id "
            "FROM (SELECT DISTINCT value FROM jsonb_array_elements_text($3::jsonb)) AS "
            "wanted(seat_id) "
            "CROSS JOIN LATERAL (SELECT g.seat_id, g.grade_id FROM product.grade_seats g "
            "WHERE g.product_id = $2 AND g.seat_id = wanted.seat_id LIMIT 1) gs "
            "LEFT JOIN LATERAL (SELECT s.status, s.reservation_id FROM product.seat_states s "
            "WHERE s.schedule_id = $1 AND s.seat_id = gs.seat_id LIMIT 1) ss ON true",
            schedule_id, product_id, json_list(seat_ids));
        if (!current) return std::move(current).error();
        for (const auto& row : *current) {
            auto d = transition(row.text("status"), row.text("reservation_id") == reservation_id,
                                *target);
            if (!d) continue;
            changed.push_back(row.text("seat_id"));
            auto& sum = deltas[row.text("grade_id")];
            sum.held += d->held;
            sum.sold += d->sold;
        }
        if (!changed.empty()) {
            auto written =
                target->empty()
                    ? tx.exec(
                          "DELETE FROM product.seat_states WHERE schedule_id = $1 AND seat_id = "
                          "ANY(ARRAY("
                          "SELECT jsonb_array_elements_text($2::jsonb)))",
                          schedule_id, json_list(changed))
                    : tx.exec(
                          "INSERT INTO product.seat_states (schedule_id, seat_id, status, "
                          "reservation_id) "
                          "SELECT $1, id, $3, $4 FROM jsonb_array_elements_text($2::jsonb) AS id "
                          "ON "
                          "CONFLICT (schedule_id, seat_id) DO UPDATE SET status = EXCLUDED.status, "
                          "reservation_id = EXCLUDED.reservation_id",
                          schedule_id, json_list(changed), *target, reservation_id);
            if (!written) return std::move(written).error();
        }
    } else {
        const std::string grade_id = text_of("gradeId");
        auto current =
            tx.exec("SELECT status, quantity FROM product.ga_holds WHERE reservation_id = $1",
                    reservation_id);
        if (!current) return std::move(current).error();
        const std::string status =
            current->empty() ? std::string() : current->front().text("status");
        const int64_t units =
            current->empty() ? quantity : current->front().int64("quantity").value_or(0);
        if (auto d = transition(status, true, *target); d && units > 0 && !grade_id.empty()) {
            deltas[grade_id] = Delta{d->held * units, d->sold * units};
            auto written = target->empty()
                               ? tx.exec("DELETE FROM product.ga_holds WHERE reservation_id = $1",
                                         reservation_id)
                               : tx.exec(
                                     "INSERT INTO product.ga_holds (reservation_id, schedule_id, "
                                     "grade_id, quantity, "
                                     "status) VALUES ($1, $2, $3, $4, $5) ON CONFLICT "
                                     "(reservation_id) DO UPDATE "
                                     "SET status = EXCLUDED.status",
                                     reservation_id, schedule_id, grade_id, units, *target);
            if (!written) return std::move(written).error();
        }
    }

    for (const auto& [grade_id, d] : deltas) {
        auto rows = tx.exec(
            "UPDATE product.schedule_grades SET held = greatest(0, held + $3), sold = greatest(0, "
            "sold + "
            "$4) WHERE schedule_id = $1 AND grade_id = $2 RETURNING total - held - sold AS "
            "remaining",
            schedule_id, grade_id, d.held, d.sold);
        if (!rows) return std::move(rows).error();
        if (!rows->empty()) remaining[grade_id] = rows->front().int64("remaining").value_or(0);
    }
    if (changed.empty() && remaining.empty()) return {};

    return seat_batch_->publish_after_commit(
        tx, SeatChange{schedule_id, *target, std::move(changed), std::move(remaining)});
}

void ProductPlugin::publish_seat_change(const SeatChange& change) {
    // Redis records the change with the map version it produced (the SSE id); every host's
    // streams hear it through the relay, this host's at once (seat_stream_relay.hpp).
    relay_->changed(change, seat_map_->apply(change));
}

}  // namespace admit::product

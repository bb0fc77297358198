#include "seat_batch.hpp"

namespace admit::product {

using admit::sdk::Result;
using admit::sdk::Status;
using admit::sdk::Tx;

namespace {

/// Marks the seats of a schedule HELD by their reservations (first come first served within the
/// batch: a seat named twice keeps the first), then counts the seats that changed per grade.
/// $1 schedule id, $2 product id, $3 JSON array of [seatId, reservationId] in delivery order.
/// One primary-key lookup per seat (LATERAL ... LIMIT 1, see seat_events.cpp).
constexpr const char* kHoldSeats =
    "WITH wanted AS (SELECT DISTINCT ON (seat_id) seat_id, reservation_id FROM (SELECT e.item->>0 "
    "AS seat_id, e.item->>1 AS reservation_id, e.n FROM jsonb_array_elements($3::jsonb) WITH "
    "ORDINALITY AS e(item, n)) w ORDER BY seat_id, n), "
    "seats AS (SELECT wanted.seat_id, wanted.reservation_id, g.grade_id FROM wanted CROSS JOIN "
    "LATERAL (SELECT g.grade_id FROM product.grade_seats g WHERE g.product_id = $2 AND "
    "g.seat_id = wanted.seat_id LIMIT 1) g), "
    "ins AS (INSERT INTO product.seat_states (schedule_id, seat_id, status, reservation_id) "
    "SELECT $1, seat_id, 'HELD', reservation_id FROM seats ON CONFLICT (schedule_id, seat_id) DO "
    "NOTHING RETURNING seat_id), "
    "counted AS (SELECT s.grade_id, count(*) AS n FROM ins JOIN seats s USING (seat_id) "
    "GROUP BY s.grade_id), "
    "upd AS (UPDATE product.schedule_grades sg SET held = sg.held + c.n FROM counted c "
    "WHERE sg.schedule_id = $1 AND sg.grade_id = c.grade_id "
    "RETURNING sg.grade_id, sg.total - sg.held - sg.sold AS remaining) "
    "SELECT 'seat' AS kind, seat_id AS id, 0::bigint AS remaining FROM ins "
    "UNION ALL SELECT 'grade', grade_id, remaining FROM upd";

/// Records general-admission holds not recorded before (a redelivered or already confirmed
/// reservation keeps its row), then adds their units to the grades' held counters.
/// $1 schedule id, $2 JSON array of [reservationId, gradeId, quantity].
constexpr const char* kHoldUnits =
    "WITH batch AS (SELECT e->>0 AS reservation_id, e->>1 AS grade_id, (e->>2)::bigint AS "
    "quantity FROM jsonb_array_elements($2::jsonb) AS e), "
    "ins AS (INSERT INTO product.ga_holds (reservation_id, schedule_id, grade_id, quantity, "
    "status) SELECT reservation_id, $1, grade_id, quantity, 'HELD' FROM batch ON CONFLICT "
    "(reservation_id) DO NOTHING RETURNING grade_id, quantity), "
    "counted AS (SELECT grade_id, sum(quantity) AS n FROM ins GROUP BY grade_id) "
    "UPDATE product.schedule_grades sg SET held = sg.held + c.n FROM counted c "
    "WHERE sg.schedule_id = $1 AND sg.grade_id = c.grade_id "
    "RETURNING sg.grade_id, sg.total - sg.held - sg.sold AS remaining";

}  // namespace

Result<std::optional<LockedSchedule>> SeatBatch::schedule(Tx& tx, const std::string& schedule_id) {
    auto gathered = gathered_.open(tx);
    if (!gathered) return std::move(gathered).error();
    auto& locked = (*gathered)->locked;
    if (auto it = locked.find(schedule_id); it != locked.end()) {
        return std::optional<LockedSchedule>(it->second);
    }
    auto row = tx.exec(
        "SELECT s.product_id, p.seating FROM product.schedules s JOIN product.products p ON p.id = "
        "s.product_id WHERE s.id = $1 FOR UPDATE OF s",
        schedule_id);
    if (!row) return std::move(row).error();
    if (row->empty()) return std::optional<LockedSchedule>();
    LockedSchedule found{row->front().text("product_id"),
                         row->front().text("seating") == "RESERVED"};
    locked.emplace(schedule_id, found);
    return std::optional<LockedSchedule>(std::move(found));
}

Status SeatBatch::add_held(Tx& tx, const std::string& schedule_id,
                           const std::string& reservation_id, std::vector<std::string> seat_ids,
                           const std::string& grade_id, int64_t quantity) {
    auto gathered = gathered_.open(tx);
    if (!gathered) return std::move(gathered).error();
    auto locked = (*gathered)->locked.find(schedule_id);
    if (locked == (*gathered)->locked.end()) {
        return admit::sdk::Error::internal("add_held before schedule() locked " + schedule_id);
    }
    auto& pending = (*gathered)->pending[schedule_id];
    pending.schedule = locked->second;
    pending.holds.push_back(PendingHold{reservation_id, std::move(seat_ids), grade_id, quantity});
    return {};
}

Status SeatBatch::flush(Tx& tx) {
    Gathered* gathered = gathered_.current();
    return gathered == nullptr ? Status{} : write(tx, *gathered);
}

Status SeatBatch::write(Tx& tx, Gathered& gathered) {
    auto pending = std::move(gathered.pending);
    gathered.pending.clear();
    for (const auto& [schedule_id, holds] : pending) {
        auto change = holds.schedule.reserved ? write_reserved(tx, schedule_id, holds)
                                              : write_general(tx, schedule_id, holds);
        if (!change) return std::move(change).error();
        if (change->changed.empty() && change->remaining.empty()) continue;
        if (auto s = publish_after_commit(tx, std::move(*change)); !s) return s;
    }
    return {};
}

Status SeatBatch::publish_after_commit(Tx& tx, SeatChange change) {
    // The cached map and the SSE clients hear of the change only once it is durable: a rolled-back
    // or dead-lettered event must not leave browsers showing a seat HELD that is not.
    return tx.on_commit([this, change = std::move(change)] { publish_(change); });
}

Result<SeatChange> SeatBatch::write_reserved(Tx& tx, const std::string& schedule_id,
                                             const PendingSchedule& pending) {
    boost::json::array pairs;
    for (const auto& hold : pending.holds) {
        for (const auto& seat_id : hold.seat_ids) {
            pairs.push_back(boost::json::array{boost::json::string(seat_id),
                                               boost::json::string(hold.reservation_id)});
        }
    }
    SeatChange change{schedule_id, "HELD", {}, {}};
    if (pairs.empty()) return change;
    auto rows = tx.exec(kHoldSeats, schedule_id, pending.schedule.product_id,
                        boost::json::serialize(pairs));
    if (!rows) return std::move(rows).error();
    for (const auto& row : *rows) {
        if (row.text("kind") == "seat") {
            change.changed.push_back(row.text("id"));
        } else {
            change.remaining[row.text("id")] = row.int64("remaining").value_or(0);
        }
    }
    return change;
}

Result<SeatChange> SeatBatch::write_general(Tx& tx, const std::string& schedule_id,
                                            const PendingSchedule& pending) {
    boost::json::array holds;
    for (const auto& hold : pending.holds) {
        if (hold.quantity <= 0 || hold.grade_id.empty()) continue;
        holds.push_back(boost::json::array{boost::json::string(hold.reservation_id),
                                           boost::json::string(hold.grade_id), hold.quantity});
    }
    SeatChange change{schedule_id, "HELD", {}, {}};
    if (holds.empty()) return change;
    auto rows = tx.exec(kHoldUnits, schedule_id, boost::json::serialize(holds));
    if (!rows) return std::move(rows).error();
    for (const auto& row : *rows) {
        change.remaining[row.text("grade_id")] = row.int64("remaining").value_or(0);
    }
    return change;
}

}  // namespace admit::product

// The product state machine over HTTP (submit, approve, reject, cancel) and the time-driven moves
// (sale start, sale end, completion) run by a periodic host job.
#include "product_plugin.hpp"

namespace admit::product {

using admit::sdk::Error;
namespace fields = admit::sdk::fields;

namespace {

/// Marks a failure that the handler turns into 409 INVALID_STATE / 422 PRODUCT_INCOMPLETE.
Error invalid_state(std::string message) { return Error::state(std::move(message)); }
Error incomplete(std::string message) { return Error::rejected(std::move(message)); }

/// Checks that a product can be submitted: a schedule, every schedule after the sale start.
Status check_complete(Tx& tx, const std::string& id) {
    auto rows = tx.exec(
        "SELECT count(s.id) AS schedules, count(s.id) FILTER (WHERE s.starts_at < "
        "p.sale_starts_at) AS early, "
        "(SELECT count(*) FROM product.grades g WHERE g.product_id = p.id) AS grades "
        "FROM product.products p LEFT JOIN product.schedules s ON s.product_id = p.id WHERE p.id = "
        "$1 "
        "GROUP BY p.id",
        id);
    if (!rows) return std::move(rows).error();
    const auto row = rows->front();
    if (row.int64("grades").value_or(0) == 0) return incomplete("the product has no grades");
    if (row.int64("schedules").value_or(0) == 0)
        return incomplete("the product has no schedule (POST .../schedules)");
    if (row.int64("early").value_or(0) > 0)
        return incomplete("a schedule starts before the sale starts");
    return {};
}

}  // namespace

Response ProductPlugin::submit(const Request& request) { return apply_move(request, Move::submit); }
Response ProductPlugin::approve(const Request& request) {
    return apply_move(request, Move::approve);
}
Response ProductPlugin::reject(const Request& request) { return apply_move(request, Move::reject); }
Response ProductPlugin::cancel(const Request& request) { return apply_move(request, Move::cancel); }

Response ProductPlugin::apply_move(const Request& request, Move move) {
    const std::string id(request.param("productId"));
    const auto caller = request.principal();
    auto owner = product_owner(id);
    if (!owner) return Response::from_error(owner.error());
    if (!may_manage(caller, owner->second))
        return Response::error(403, "FORBIDDEN", "not your product");
    std::optional<std::string> reason;
    if (!request.body().empty()) {
        auto body = request.json_object();
        if (!body) return Response::from_error(body.error());
        auto r = fields::optional_string(*body, "reason");
        if (!r) return Response::from_error(r.error());
        if (*r && (*r)->size() > 1000)
            return Response::invalid_request("field 'reason' is longer than 1000");
        reason = *r;
    }
    if (move == Move::reject && (!reason || reason->empty()))
        return Response::invalid_request("field 'reason' is required");

    const std::string actor(caller.subject());
    std::vector<std::string> schedule_ids;
    auto status = host_->db().transaction([&](Tx& tx) -> Status {
        auto locked = tx.exec("SELECT status FROM product.products WHERE id = $1 FOR UPDATE", id);
        if (!locked) return std::move(locked).error();
        const std::string from = locked->front().text("status");
        const auto to = next_state(from, move);
        if (!to)
            return invalid_state("cannot " + std::string(move_name(move)) + " a product that is " +
                                 from);
        if (move == Move::submit) {
            if (auto s = check_complete(tx, id); !s) return s;
        }
        auto updated = tx.exec(
            "UPDATE product.products SET status = $2, updated_at = now(), "
            "reject_reason = CASE WHEN $3 THEN $4 WHEN $2 = 'PENDING' THEN NULL ELSE reject_reason "
            "END, "
            "cancel_reason = CASE WHEN $2 = 'CANCELLED' THEN $4 ELSE cancel_reason END "
            "WHERE id = $1 AND status = $5",
            id, std::string(*to), move == Move::reject, reason, from);
        if (!updated) return std::move(updated).error();
        if (updated->affected != 1) return invalid_state("the product changed meanwhile");
        auto schedules = tx.exec(
            "SELECT id FROM product.schedules WHERE product_id = $1 ORDER BY starts_at", id);
        if (!schedules) return std::move(schedules).error();
        boost::json::array ids;
        for (const auto& row : *schedules) {
            schedule_ids.push_back(row.text("id"));
            ids.push_back(boost::json::string(row.text("id")));
        }
        boost::json::object payload;
        payload["productId"] = id;
        payload["sellerId"] = owner->second;
        payload["from"] = from;
        payload["status"] = std::string(*to);
        if (reason) payload["reason"] = *reason;
        payload["scheduleIds"] = ids;
        if (move == Move::approve) {
            // Counts per schedule and grade start here: the product is frozen from now on.
            auto counts = tx.exec(
                "INSERT INTO product.schedule_grades (schedule_id, grade_id, total) SELECT s.id, "
                "g.id, "
                "g.total FROM product.schedules s JOIN product.grades g ON g.product_id = "
                "s.product_id "
                "WHERE s.product_id = $1 ON CONFLICT DO NOTHING",
                id);
            if (!counts) return std::move(counts).error();
            auto approved = payload;
            approved["status"] = "APPROVED";
            if (auto s = tx.publish("product.approved", id, approved, actor); !s) return s;
            payload["from"] = "APPROVED";
            return tx.publish("product.scheduled", id, payload, actor);
        }
        return tx.publish("product." + std::string(move_name(move)), id, payload, actor);
    });
    if (!status) {
        if (!status.ok() && status.error().is_state())
            return Response::error(409, "INVALID_STATE", status.message());
        if (!status.ok() && status.error().is_rejected())
            return Response::error(422, "PRODUCT_INCOMPLETE", status.message());
        return Response::from_error(status.error());
    }
    facts_->invalidate_product(id);
    if (move == Move::approve) {
        for (const auto& schedule_id : schedule_ids) seat_map_->ensure_loaded(schedule_id);
    }
    auto out = product_json(id);
    if (!out) return Response::from_error(out.error());
    return Response::json(200, *out);
}

Status ProductPlugin::run_sale_transitions() {
    struct TimedMove {
        const char* sql;
        const char* topic;
        const char* from;
        const char* to;
    };
    // Conditional UPDATEs: two hosts (or a retried run) never move one product twice.
    static const TimedMove moves[] = {
        {"UPDATE product.products SET status = 'ON_SALE', updated_at = now() WHERE status = "
         "'SCHEDULED' AND "
         "sale_starts_at <= to_timestamp($1::double precision / 1e6) RETURNING id, seller_id",
         "product.on_sale", "SCHEDULED", "ON_SALE"},
        {"UPDATE product.products SET status = 'CLOSED', updated_at = now() WHERE status = "
         "'ON_SALE' AND "
         "sale_ends_at <= to_timestamp($1::double precision / 1e6) RETURNING id, seller_id",
         "product.closed", "ON_SALE", "CLOSED"},
        {"UPDATE product.products p SET status = 'COMPLETED', updated_at = now() WHERE status = "
         "'CLOSED' AND NOT EXISTS "
         "(SELECT 1 FROM product.schedules s WHERE s.product_id = p.id AND s.ends_at > "
         "to_timestamp($1::double precision "
         "/ 1e6)) RETURNING id, seller_id",
         "product.completed", "CLOSED", "COMPLETED"},
    };
    std::vector<std::string> moved;
    for (const auto& m : moves) {
        const int64_t now = host_->now_us();
        auto status = host_->db().transaction([&](Tx& tx) -> Status {
            auto rows = tx.exec(m.sql, now);
            if (!rows) return std::move(rows).error();
            for (const auto& row : *rows) {
                boost::json::object payload;
                payload["productId"] = row.text("id");
                payload["sellerId"] = row.text("seller_id");
                payload["from"] = m.from;
                payload["status"] = m.to;
                if (auto s = tx.publish(m.topic, row.text("id"), payload, "system"); !s) return s;
                moved.push_back(row.text("id"));
            }
            return {};
        });
        if (!status) return status;
    }
    for (const auto& id : moved) facts_->invalidate_product(id);
    return {};
}

}  // namespace admit::product

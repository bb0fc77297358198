// Hall routes: create, list, read, update, and delete (cascading to stages and seats).
#include <admit/sdk/ids.hpp>
#include "arthall_plugin.hpp"

namespace admit::arthall {
namespace {

namespace fields = admit::sdk::fields;
using admit::sdk::Error;
using admit::sdk::new_id;
using admit::sdk::Rows;
using admit::sdk::Tx;

const std::string& hall_columns() {
    static const std::string columns = "id, owner_id, name, address, status, " +
                                       rfc3339_sql("created_at") + " AS created_at, " +
                                       rfc3339_sql("updated_at") + " AS updated_at";
    return columns;
}

boost::json::object hall_json(const admit::sdk::Row& row) {
    return {{"hallId", row.text("id")},           {"ownerId", row.text("owner_id")},
            {"name", row.text("name")},           {"address", row.text("address")},
            {"status", row.text("status")},       {"createdAt", row.text("created_at")},
            {"updatedAt", row.text("updated_at")}};
}

Result<std::string> valid_text(const boost::json::object& body, std::string_view field,
                               bool required, std::size_t max) {
    if (required) {
        auto v = fields::required_string(body, field);
        if (!v) return std::move(v).error();
        if (v->size() > max)
            return Error::invalid("field '" + std::string(field) + "' is longer than " +
                                  std::to_string(max));
        return *v;
    }
    auto v = fields::optional_string(body, field);
    if (!v) return std::move(v).error();
    if (*v && (*v)->size() > max)
        return Error::invalid("field '" + std::string(field) + "' is longer than " +
                              std::to_string(max));
    return v->value_or("");
}

}  // namespace

Result<std::string> ArthallPlugin::hall_owner(const std::string& hall_id) {
    auto rows = host_->db().exec(
        "SELECT owner_id FROM arthall.halls WHERE id = $1 AND deleted_at IS NULL", hall_id);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::not_found("hall " + hall_id + " does not exist");
    return rows->front().text("owner_id");
}

Response ArthallPlugin::create_hall(const Request& request) {
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto name = valid_text(*body, "name", true, 200);
    if (!name) return Response::from_error(name.error());
    auto address = valid_text(*body, "address", false, 500);
    if (!address) return Response::from_error(address.error());
    const std::string id = new_id("hal");
    const std::string actor(request.principal().subject());
    Rows created;
    const bool bounded = !request.principal().has_role("admin");
    auto status = host_->db().transaction([&](Tx& tx) -> Status {
        if (bounded) {
            // One owner's creates queue on a transaction lock, so two concurrent requests cannot
            // both see room for one more hall.
            // The count is a statement of its own: a statement's snapshot is taken before it
            // waits for the lock, and would miss the hall the lock's previous holder created.
            auto locked = tx.exec(
                "SELECT pg_advisory_xact_lock(hashtextextended('arthall.halls:' || $1, 0))", actor);
            if (!locked) return std::move(locked).error();
            auto live = tx.exec(
                "SELECT count(*) AS halls FROM arthall.halls WHERE owner_id = $1 AND deleted_at IS "
                "NULL",
                actor);
            if (!live) return std::move(live).error();
            if (live->front().int64("halls").value_or(0) >= max_halls_per_seller_)
                return Error::rejected("at most " + std::to_string(max_halls_per_seller_) +
                                       " halls per seller ([plugin.arthall] max_halls_per_seller)");
        }
        auto rows = tx.exec(
            "INSERT INTO arthall.halls (id, owner_id, name, address) VALUES ($1, $2, $3, $4) "
            "RETURNING " +
                hall_columns(),
            id, actor, *name, *address);
        if (!rows) return std::move(rows).error();
        created = std::move(*rows);
        boost::json::object payload;
        payload["hallId"] = id;
        payload["name"] = *name;
        return tx.publish("arthall.hall_created", id, payload, actor);
    });
    if (!status) return refusal_or_error(status.error());
    return Response::json(201, hall_json(created.front()));
}

Response ArthallPlugin::list_halls(const Request& request) {
    auto limit = page_limit(request);
    if (!limit) return Response::from_error(limit.error());
    const auto cursor = request.query("cursor");
    auto rows = host_->db().exec(
        "SELECT " + hall_columns() +
            " FROM arthall.halls h WHERE deleted_at IS NULL AND ($1::text IS NULL OR "
            "(h.created_at, h.id) > (SELECT created_at, id FROM arthall.halls WHERE id = $1)) "
            "ORDER BY h.created_at, h.id LIMIT $2",
        cursor, *limit + 1);
    if (!rows) return Response::from_error(rows.error());
    boost::json::array items;
    for (std::size_t i = 0; i < rows->size() && static_cast<int64_t>(i) < *limit; ++i)
        items.push_back(hall_json((*rows)[i]));
    boost::json::value next = nullptr;
    if (static_cast<int64_t>(rows->size()) > *limit) next = items.back().as_object().at("hallId");
    return Response::json(200, {{"items", std::move(items)}, {"nextCursor", next}});
}

Response ArthallPlugin::get_hall(const Request& request) {
    const std::string id(request.param("hallId"));
    auto rows = host_->db().exec(
        "SELECT " + hall_columns() + " FROM arthall.halls WHERE id = $1 AND deleted_at IS NULL",
        id);
    if (!rows) return Response::from_error(rows.error());
    if (rows->empty()) return Response::error(404, "NOT_FOUND", "hall " + id + " does not exist");
    auto hall = hall_json(rows->front());
    auto stages = host_->db().exec(
        "SELECT id, name, status, seat_count FROM arthall.stages WHERE hall_id = $1 AND "
        "deleted_at IS NULL ORDER BY created_at, id",
        id);
    if (!stages) return Response::from_error(stages.error());
    boost::json::array list;
    for (const auto& row : *stages) {
        list.push_back({{"stageId", row.text("id")},
                        {"name", row.text("name")},
                        {"status", row.text("status")},
                        {"seatCount", row.int64("seat_count").value_or(0)}});
    }
    hall["stages"] = std::move(list);
    return Response::json(200, hall);
}

Response ArthallPlugin::update_hall(const Request& request) {
    const std::string id(request.param("hallId"));
    auto owner = hall_owner(id);
    if (!owner) return Response::from_error(owner.error());
    if (!may_manage(request.principal(), *owner))
        return Response::error(403, "FORBIDDEN", "not your hall");
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto name = fields::optional_string(*body, "name");
    if (!name) return Response::from_error(name.error());
    if (*name && ((*name)->empty() || (*name)->size() > 200))
        return Response::invalid_request("field 'name' must be 1-200 characters");
    auto address = fields::optional_string(*body, "address");
    if (!address) return Response::from_error(address.error());
    if (*address && (*address)->size() > 500)
        return Response::invalid_request("field 'address' is longer than 500");
    auto state = fields::optional_string(*body, "status");
    if (!state) return Response::from_error(state.error());
    if (*state && **state != "ACTIVE" && **state != "INACTIVE") {
        return Response::invalid_request("field 'status' must be ACTIVE or INACTIVE");
    }
    const std::string actor(request.principal().subject());
    Rows updated;
    auto status = host_->db().transaction([&](Tx& tx) -> Status {
        auto rows = tx.exec(
            "UPDATE arthall.halls SET name = COALESCE($2, name), address = COALESCE($3, address), "
            "status = COALESCE($4, status), updated_at = now() WHERE id = $1 AND deleted_at IS "
            "NULL "
            "RETURNING " +
                hall_columns(),
            id, *name, *address, *state);
        if (!rows) return std::move(rows).error();
        if (rows->empty()) return Error::not_found("hall " + id + " does not exist");
        updated = std::move(*rows);
        boost::json::object payload;
        payload["hallId"] = id;
        payload["changes"] = *body;
        return tx.publish("arthall.hall_updated", id, payload, actor);
    });
    if (!status) return Response::from_error(status.error());
    return Response::json(200, hall_json(updated.front()));
}

Response ArthallPlugin::delete_hall(const Request& request) {
    const std::string id(request.param("hallId"));
    auto owner = hall_owner(id);
    if (!owner) return Response::from_error(owner.error());
    if (!may_manage(request.principal(), *owner))
        return Response::error(403, "FORBIDDEN", "not your hall");
    auto stages = host_->db().exec(
        "SELECT id FROM arthall.stages WHERE hall_id = $1 AND deleted_at IS NULL", id);
    if (!stages) return Response::from_error(stages.error());
    for (const auto& row : *stages) {
        if (auto refusal = refuse_if_in_use(row.text("id"))) return *refusal;
    }
    const std::string actor(request.principal().subject());
    auto status = host_->db().transaction([&](Tx& tx) -> Status {
        auto gone = tx.exec(
            "UPDATE arthall.stages SET deleted_at = now(), status = 'INACTIVE', updated_at = now() "
            "WHERE hall_id = $1 AND deleted_at IS NULL RETURNING id",
            id);
        if (!gone) return std::move(gone).error();
        auto seats = tx.exec(
            "UPDATE arthall.seats SET deleted_at = now(), status = 'INACTIVE' WHERE deleted_at IS "
            "NULL "
            "AND stage_id IN (SELECT id FROM arthall.stages WHERE hall_id = $1)",
            id);
        if (!seats) return std::move(seats).error();
        auto hall = tx.exec(
            "UPDATE arthall.halls SET deleted_at = now(), status = 'INACTIVE', updated_at = now() "
            "WHERE id = $1 AND deleted_at IS NULL",
            id);
        if (!hall) return std::move(hall).error();
        if (hall->affected == 0) return Error::not_found("hall " + id + " does not exist");
        for (const auto& row : *gone) {
            boost::json::object payload;
            payload["stageId"] = row.text("id");
            payload["hallId"] = id;
            if (auto s = tx.publish("arthall.stage_deleted", row.text("id"), payload, actor); !s)
                return s;
        }
        boost::json::object payload;
        payload["hallId"] = id;
        payload["stageIds"] = boost::json::array();
        for (const auto& row : *gone)
            payload["stageIds"].as_array().push_back(boost::json::string(row.text("id")));
        return tx.publish("arthall.hall_deleted", id, payload, actor);
    });
    if (!status) return Response::from_error(status.error());
    return Response::no_content();
}

}  // namespace admit::arthall

// Stage and seat routes: a stage is created from a layout that generates its seats in one request.
#include <admit/sdk/ids.hpp>
#include "arthall_plugin.hpp"
#include "layout.hpp"

namespace admit::arthall {
namespace {

namespace fields = admit::sdk::fields;
using admit::sdk::Error;
using admit::sdk::new_id;
using admit::sdk::Rows;
using admit::sdk::Tx;

const std::string& stage_columns() {
    static const std::string columns =
        "s.id, s.hall_id, s.name, s.status, s.seat_count, h.owner_id, " +
        rfc3339_sql("s.created_at") + " AS created_at";
    return columns;
}

boost::json::object stage_json(const admit::sdk::Row& row) {
    return {{"stageId", row.text("id")},
            {"hallId", row.text("hall_id")},
            {"name", row.text("name")},
            {"status", row.text("status")},
            {"seatCount", row.int64("seat_count").value_or(0)},
            {"createdAt", row.text("created_at")}};
}

/// The seats as a JSON array for jsonb_to_recordset (one statement inserts them all).
std::string seats_as_json(const std::vector<GeneratedSeat>& seats) {
    boost::json::array out;
    out.reserve(seats.size());
    for (std::size_t i = 0; i < seats.size(); ++i) {
        const auto& s = seats[i];
        out.push_back({{"id", new_id("seat")},
                       {"position", static_cast<int64_t>(i)},
                       {"section", s.section},
                       {"row", s.row},
                       {"number", s.number},
                       {"label", s.label},
                       {"x", s.x},
                       {"y", s.y},
                       {"grade", s.grade}});
    }
    return boost::json::serialize(out);
}

Result<Rows> find_stage(Host& host, const std::string& stage_id) {
    auto rows = host.db().exec("SELECT " + stage_columns() +
                                   " FROM arthall.stages s JOIN arthall.halls h ON h.id = "
                                   "s.hall_id WHERE s.id = $1 AND s.deleted_at IS NULL",
                               stage_id);
    if (!rows) return rows;
    if (rows->empty()) return Error::not_found("stage " + stage_id + " does not exist");
    return rows;
}

}  // namespace

Response ArthallPlugin::create_stage(const Request& request) {
    const std::string hall_id(request.param("hallId"));
    auto owner = hall_owner(hall_id);
    if (!owner) return Response::from_error(owner.error());
    if (!may_manage(request.principal(), *owner))
        return Response::error(403, "FORBIDDEN", "not your hall");
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto name = fields::required_string(*body, "name");
    if (!name) return Response::from_error(name.error());
    if (name->size() > 200) return Response::invalid_request("field 'name' is longer than 200");
    const auto* layout = body->if_contains("layout");
    if (layout == nullptr) return Response::invalid_request("field 'layout' is required");
    auto seats = generate_layout(*layout, max_seats_);
    if (!seats) return Response::from_error(seats.error());

    const std::string id = new_id("stg");
    const std::string actor(request.principal().subject());
    const std::string seat_json = seats_as_json(*seats);
    Rows created;
    auto status = host_->db().transaction([&](Tx& tx) -> Status {
        // The hall's row lock orders concurrent creates of its stages. The count is a statement of
        // its own, after the lock: a statement's snapshot is taken before it waits for a lock, and
        // would miss the stage the lock's previous holder created.
        auto hall = tx.exec(
            "SELECT 1 FROM arthall.halls WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", hall_id);
        if (!hall) return std::move(hall).error();
        if (hall->empty()) return Error::not_found("hall " + hall_id + " does not exist");
        auto live = tx.exec(
            "SELECT count(*) AS stages FROM arthall.stages WHERE hall_id = $1 AND deleted_at IS "
            "NULL",
            hall_id);
        if (!live) return std::move(live).error();
        if (live->front().int64("stages").value_or(0) >= max_stages_per_hall_)
            return Error::rejected("at most " + std::to_string(max_stages_per_hall_) +
                                   " stages per hall ([plugin.arthall] max_stages_per_hall)");
        auto stage = tx.exec(
            "INSERT INTO arthall.stages (id, hall_id, name, seat_count, layout) "
            "SELECT $1, $2, $3, $4, $5::jsonb WHERE EXISTS (SELECT 1 FROM arthall.halls WHERE id = "
            "$2 "
            "AND deleted_at IS NULL)",
            id, hall_id, *name, static_cast<int64_t>(seats->size()), *layout);
        if (!stage) return std::move(stage).error();
        if (stage->affected == 0) return Error::not_found("hall " + hall_id + " does not exist");
        auto inserted = tx.exec(
            "INSERT INTO arthall.seats (id, stage_id, position, section, row_label, number, label, "
            "x, y, grade) "
            "SELECT s.id, $1, s.position, s.section, s.row, s.number, s.label, s.x, s.y, s.grade "
            "FROM "
            "jsonb_to_recordset($2::jsonb) AS s(id text, position int, section text, \"row\" text, "
            "number int, "
            "label text, x float8, y float8, grade text)",
            id, seat_json);
        if (!inserted) return std::move(inserted).error();
        auto rows = tx.exec("SELECT " + stage_columns() +
                                " FROM arthall.stages s JOIN arthall.halls h ON h.id = "
                                "s.hall_id WHERE s.id = $1",
                            id);
        if (!rows) return std::move(rows).error();
        created = std::move(*rows);
        boost::json::object payload;
        payload["stageId"] = id;
        payload["hallId"] = hall_id;
        payload["seatCount"] = static_cast<int64_t>(seats->size());
        return tx.publish("arthall.stage_created", id, payload, actor);
    });
    if (!status) return refusal_or_error(status.error());
    return Response::json(201, stage_json(created.front()));
}

Response ArthallPlugin::list_stages(const Request& request) {
    const std::string hall_id(request.param("hallId"));
    auto owner = hall_owner(hall_id);
    if (!owner) return Response::from_error(owner.error());
    auto rows = host_->db().exec(
        "SELECT " + stage_columns() +
            " FROM arthall.stages s JOIN arthall.halls h ON h.id = "
            "s.hall_id WHERE s.hall_id = $1 AND s.deleted_at IS NULL ORDER BY s.created_at, s.id",
        hall_id);
    if (!rows) return Response::from_error(rows.error());
    boost::json::array items;
    for (const auto& row : *rows) items.push_back(stage_json(row));
    return Response::json(200, {{"items", std::move(items)}, {"nextCursor", nullptr}});
}

Response ArthallPlugin::get_stage(const Request& request) {
    auto rows = find_stage(*host_, std::string(request.param("stageId")));
    if (!rows) return Response::from_error(rows.error());
    return Response::json(200, stage_json(rows->front()));
}

Response ArthallPlugin::update_stage(const Request& request) {
    const std::string id(request.param("stageId"));
    auto rows = find_stage(*host_, id);
    if (!rows) return Response::from_error(rows.error());
    if (!may_manage(request.principal(), rows->front().text("owner_id"))) {
        return Response::error(403, "FORBIDDEN", "not your stage");
    }
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto name = fields::optional_string(*body, "name");
    if (!name) return Response::from_error(name.error());
    if (*name && ((*name)->empty() || (*name)->size() > 200))
        return Response::invalid_request("field 'name' must be 1-200 characters");
    auto state = fields::optional_string(*body, "status");
    if (!state) return Response::from_error(state.error());
    if (*state && **state != "ACTIVE" && **state != "INACTIVE") {
        return Response::invalid_request("field 'status' must be ACTIVE or INACTIVE");
    }
    if (*state && **state == "INACTIVE") {
        if (auto refusal = refuse_if_in_use(id)) return *refusal;
    }
    auto updated = host_->db().exec(
        "UPDATE arthall.stages SET name = COALESCE($2, name), status = COALESCE($3, status), "
        "updated_at = now() WHERE id = $1 AND deleted_at IS NULL",
        id, *name, *state);
    if (!updated) return Response::from_error(updated.error());
    return get_stage(request);
}

Response ArthallPlugin::delete_stage(const Request& request) {
    const std::string id(request.param("stageId"));
    auto rows = find_stage(*host_, id);
    if (!rows) return Response::from_error(rows.error());
    if (!may_manage(request.principal(), rows->front().text("owner_id"))) {
        return Response::error(403, "FORBIDDEN", "not your stage");
    }
    if (auto refusal = refuse_if_in_use(id)) return *refusal;
    const std::string actor(request.principal().subject());
    const std::string hall_id = rows->front().text("hall_id");
    auto status = host_->db().transaction([&](Tx& tx) -> Status {
        auto stage = tx.exec(
            "UPDATE arthall.stages SET deleted_at = now(), status = 'INACTIVE', updated_at = now() "
            "WHERE id = $1 AND deleted_at IS NULL",
            id);
        if (!stage) return std::move(stage).error();
        if (stage->affected == 0) return Error::not_found("stage " + id + " does not exist");
        auto seats = tx.exec(
            "UPDATE arthall.seats SET deleted_at = now(), status = 'INACTIVE' WHERE stage_id = $1 "
            "AND deleted_at IS NULL",
            id);
        if (!seats) return std::move(seats).error();
        boost::json::object payload;
        payload["stageId"] = id;
        payload["hallId"] = hall_id;
        return tx.publish("arthall.stage_deleted", id, payload, actor);
    });
    if (!status) return Response::from_error(status.error());
    return Response::no_content();
}

Response ArthallPlugin::stage_seats(const Request& request) {
    const std::string id(request.param("stageId"));
    auto stage = find_stage(*host_, id);
    if (!stage) return Response::from_error(stage.error());
    auto rows = host_->db().exec(
        "SELECT id, section, row_label, number, label, x, y, grade, status FROM arthall.seats "
        "WHERE stage_id = $1 AND deleted_at IS NULL ORDER BY position",
        id);
    if (!rows) return Response::from_error(rows.error());
    boost::json::array seats;
    seats.reserve(rows->size());
    for (const auto& row : *rows) {
        seats.push_back(boost::json::array{
            boost::json::string(row.text("id")), boost::json::string(row.text("section")),
            boost::json::string(row.text("row_label")), row.int64("number").value_or(0),
            boost::json::string(row.text("label")), row.real("x").value_or(0),
            row.real("y").value_or(0), boost::json::string(row.text("grade")),
            boost::json::string(row.text("status"))});
    }
    return Response::json(
        200,
        {{"stageId", id},
         {"seatCount", static_cast<int64_t>(rows->size())},
         {"columns", {"seatId", "section", "row", "number", "label", "x", "y", "grade", "status"}},
         {"seats", std::move(seats)}});
}

Response ArthallPlugin::update_seat(const Request& request) {
    const std::string id(request.param("seatId"));
    auto owner = host_->db().exec(
        "SELECT h.owner_id, s.stage_id FROM arthall.seats s JOIN arthall.stages st ON st.id = "
        "s.stage_id JOIN arthall.halls h ON h.id = st.hall_id WHERE s.id = $1 AND "
        "s.deleted_at IS NULL",
        id);
    if (!owner) return Response::from_error(owner.error());
    if (owner->empty()) return Response::error(404, "NOT_FOUND", "seat " + id + " does not exist");
    if (!may_manage(request.principal(), owner->front().text("owner_id"))) {
        return Response::error(403, "FORBIDDEN", "not your seat");
    }
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto state = fields::required_string(*body, "status");
    if (!state) return Response::from_error(state.error());
    if (*state != "ACTIVE" && *state != "INACTIVE")
        return Response::invalid_request("field 'status' must be ACTIVE or INACTIVE");
    if (auto refusal = refuse_if_in_use(owner->front().text("stage_id"))) return *refusal;
    auto updated = host_->db().exec(
        "UPDATE arthall.seats SET status = $2 WHERE id = $1 AND deleted_at IS NULL", id, *state);
    if (!updated) return Response::from_error(updated.error());
    return Response::json(200, {{"seatId", id}, {"status", *state}});
}

}  // namespace admit::arthall

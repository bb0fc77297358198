// arthall: registration, the services other plugins call, and shared helpers.
#include "arthall_plugin.hpp"

#include "arthall_contracts.hpp"

namespace admit::arthall {

using admit::sdk::Error;
namespace fields = admit::sdk::fields;

Status ArthallPlugin::init(Host& host) {
    host_ = &host;
    max_seats_ = host.config_int("max_seats_per_stage", 20000);
    max_halls_per_seller_ = host.config_int("max_halls_per_seller", 20);
    max_stages_per_hall_ = host.config_int("max_stages_per_hall", 20);
    if (max_halls_per_seller_ < 1 || max_stages_per_hall_ < 1)
        return Error::invalid(
            "[plugin.arthall] max_halls_per_seller and max_stages_per_hall must be at least 1");
    if (auto s = host.register_migrations(); !s) return s;

    struct RouteSpec {
        const char* method;
        const char* path;
        const char* roles;
        Response (ArthallPlugin::*handler)(const Request&);
        const char* summary;
        const char* operation_id;
        std::string contract;
    };
    const RouteSpec routes[] = {
        {"POST", "/api/v1/halls", "admin,seller", &ArthallPlugin::create_hall, "Creates a hall",
         "createHall", contracts::create_hall()},
        {"GET", "/api/v1/halls", "public", &ArthallPlugin::list_halls, "Lists halls", "listHalls",
         contracts::list_halls()},
        {"GET", "/api/v1/halls/{hallId}", "public", &ArthallPlugin::get_hall,
         "A hall with its stages", "getHall", contracts::get_hall()},
        {"PATCH", "/api/v1/halls/{hallId}", "admin,seller", &ArthallPlugin::update_hall,
         "Updates a hall", "updateHall", contracts::update_hall()},
        {"DELETE", "/api/v1/halls/{hallId}", "admin,seller", &ArthallPlugin::delete_hall,
         "Soft-deletes a hall with its stages and seats", "deleteHall",
         std::string(contracts::kDeleteHall)},
        {"POST", "/api/v1/halls/{hallId}/stages", "admin,seller", &ArthallPlugin::create_stage,
         "Creates a stage from a layout that generates its seats", "createStage",
         contracts::create_stage()},
        {"GET", "/api/v1/halls/{hallId}/stages", "public", &ArthallPlugin::list_stages,
         "Lists a hall's stages", "listStages", contracts::list_stages()},
        {"GET", "/api/v1/stages/{stageId}", "public", &ArthallPlugin::get_stage, "A stage",
         "getStage", contracts::get_stage()},
        {"PATCH", "/api/v1/stages/{stageId}", "admin,seller", &ArthallPlugin::update_stage,
         "Renames or (de)activates a stage", "updateStage", contracts::update_stage()},
        {"DELETE", "/api/v1/stages/{stageId}", "admin,seller", &ArthallPlugin::delete_stage,
         "Soft-deletes a stage (409 STAGE_IN_USE when a product uses it)", "deleteStage",
         std::string(contracts::kDeleteStage)},
        {"GET", "/api/v1/stages/{stageId}/seats", "public", &ArthallPlugin::stage_seats,
         "The stage's seat map", "getStageSeats", std::string(contracts::kStageSeats)},
        {"PATCH", "/api/v1/seats/{seatId}", "admin,seller", &ArthallPlugin::update_seat,
         "(De)activates a seat", "updateSeat", std::string(contracts::kUpdateSeat)},
    };
    for (const auto& r : routes) {
        if (auto s = host.route(
                r.method, r.path, r.roles, r.handler, this,
                {.summary = r.summary, .operation_id = r.operation_id, .contract = r.contract});
            !s)
            return s;
    }
    if (auto s = host.provide(
            "arthall.stage",
            [this](const boost::json::value& in, const Principal&) { return stage_service(in); });
        !s)
        return s;
    return host.provide(
        "arthall.stage_seats",
        [this](const boost::json::value& in, const Principal&) { return stage_seats_service(in); });
}

std::optional<Response> ArthallPlugin::refuse_if_in_use(const std::string& stage_id) {
    auto answer = host_->call("product.stage_in_use", boost::json::value{{"stageId", stage_id}});
    if (!answer) {
        // Fails closed: without an answer from product (not loaded here, or down) nobody can say
        // the stage is unused, and deleting seats a product sells would lose sold tickets.
        host_->warn("product.stage_in_use failed for ", stage_id, ": ", answer.error().message);
        return Response::error(503, "DEPENDENCY_UNAVAILABLE",
                               "cannot tell whether the stage is in use");
    }
    const auto* in_use = answer->is_object() ? answer->as_object().if_contains("inUse") : nullptr;
    if (in_use != nullptr && in_use->is_bool() && in_use->as_bool()) {
        return Response::error(409, "STAGE_IN_USE", "stage " + stage_id + " is used by a product");
    }
    return std::nullopt;
}

Result<boost::json::value> ArthallPlugin::stage_service(const boost::json::value& input) {
    if (!input.is_object()) return Error::invalid("input must be an object {\"stageId\": ...}");
    auto id = fields::required_string(input.as_object(), "stageId");
    if (!id) return std::move(id).error();
    auto rows = host_->db().exec(
        "SELECT s.id, s.hall_id, s.name, s.status, s.seat_count, h.owner_id FROM arthall.stages s "
        "JOIN arthall.halls h ON h.id = s.hall_id WHERE s.id = $1 AND s.deleted_at IS NULL",
        *id);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::not_found("stage " + *id + " does not exist");
    const auto row = rows->front();
    return boost::json::value{{"stageId", row.text("id")},
                              {"hallId", row.text("hall_id")},
                              {"name", row.text("name")},
                              {"status", row.text("status")},
                              {"seatCount", row.int64("seat_count").value_or(0)},
                              {"ownerId", row.text("owner_id")}};
}

Result<boost::json::value> ArthallPlugin::stage_seats_service(const boost::json::value& input) {
    if (!input.is_object()) return Error::invalid("input must be an object {\"stageId\": ...}");
    auto id = fields::required_string(input.as_object(), "stageId");
    if (!id) return std::move(id).error();
    auto stage =
        host_->db().exec("SELECT 1 FROM arthall.stages WHERE id = $1 AND deleted_at IS NULL", *id);
    if (!stage) return std::move(stage).error();
    if (stage->empty()) return Error::not_found("stage " + *id + " does not exist");
    auto rows = host_->db().exec(
        "SELECT id, section, row_label, number, label, x, y, grade FROM arthall.seats WHERE "
        "stage_id = $1 AND deleted_at IS NULL AND status = 'ACTIVE' ORDER BY position",
        *id);
    if (!rows) return std::move(rows).error();
    boost::json::array seats;
    seats.reserve(rows->size());
    for (const auto& row : *rows) {
        seats.push_back({{"seatId", row.text("id")},
                         {"section", row.text("section")},
                         {"row", row.text("row_label")},
                         {"number", row.int64("number").value_or(0)},
                         {"label", row.text("label")},
                         {"x", row.real("x").value_or(0)},
                         {"y", row.real("y").value_or(0)},
                         {"grade", row.text("grade")}});
    }
    return boost::json::value{{"stageId", *id}, {"seats", std::move(seats)}};
}

}  // namespace admit::arthall

ADMIT_PLUGIN(arthall, admit::arthall::ArthallPlugin, "1.0.0");

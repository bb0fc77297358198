// Product routes: create, list, read, edit (DRAFT only), and schedules.
#include <admit/sdk/ids.hpp>
#include "product_plugin.hpp"

namespace admit::product {

using admit::sdk::Error;
using admit::sdk::new_id;
namespace fields = admit::sdk::fields;

namespace {

std::string ts(std::string_view column) {
    return "to_char(" + std::string(column) +
           " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
}

const std::string& product_columns() {
    static const std::string columns =
        "p.id, p.seller_id, p.title, p.description, p.category, p.stage_id, p.seating, "
        "p.status, p.reject_reason, p.cancel_reason, " +
        ts("p.sale_starts_at") + " AS sale_starts_at, " + ts("p.sale_ends_at") +
        " AS sale_ends_at, " + ts("p.created_at") + " AS created_at, " + ts("p.updated_at") +
        " AS updated_at";
    return columns;
}

boost::json::object summary_json(const admit::sdk::Row& row) {
    auto nullable = [&](std::string_view c) -> boost::json::value {
        return row.is_null(c) ? boost::json::value(nullptr) : boost::json::value(row.text(c));
    };
    return {{"productId", row.text("id")},
            {"sellerId", row.text("seller_id")},
            {"title", row.text("title")},
            {"description", row.text("description")},
            {"category", row.text("category")},
            {"stageId", row.text("stage_id")},
            {"seating", row.text("seating")},
            {"status", row.text("status")},
            {"saleStartsAt", row.text("sale_starts_at")},
            {"saleEndsAt", row.text("sale_ends_at")},
            {"rejectReason", nullable("reject_reason")},
            {"cancelReason", nullable("cancel_reason")},
            {"createdAt", row.text("created_at")},
            {"updatedAt", row.text("updated_at")}};
}

Status insert_schedule(Tx& tx, const std::string& product_id, const ScheduleInput& s,
                       std::string& id_out) {
    id_out = new_id("sch");
    auto rows = tx.exec(
        "INSERT INTO product.schedules (id, product_id, starts_at, ends_at, queue_required) "
        "VALUES ($1, $2, to_timestamp($3::double precision / 1e6), "
        "to_timestamp($3::double precision / 1e6) + make_interval(mins => $4::int), $5)",
        id_out, product_id, s.starts_us, s.duration_minutes, s.queue_required);
    if (!rows) return std::move(rows).error();
    return {};
}

}  // namespace

Result<std::pair<std::string, std::string>> ProductPlugin::product_owner(
    const std::string& product_id) {
    auto rows = host_->db().exec("SELECT status, seller_id FROM product.products WHERE id = $1",
                                 product_id);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::not_found("product " + product_id + " does not exist");
    return std::make_pair(rows->front().text("status"), rows->front().text("seller_id"));
}

Result<std::string> ProductPlugin::stage_owner(const std::string& stage_id) {
    auto stage = host_->call("arthall.stage", boost::json::value{{"stageId", stage_id}});
    if (!stage) {
        if (!stage.ok() && stage.error().is_not_found())
            return Error::invalid("field 'stageId': stage " + stage_id + " does not exist");
        return std::move(stage).error();
    }
    const auto* owner = stage->as_object().if_contains("ownerId");
    if (owner == nullptr || !owner->is_string())
        return Error::unavailable("arthall.stage did not name the stage's owner");
    return std::string(owner->as_string());
}

Result<std::vector<StageSeat>> ProductPlugin::stage_seats(const std::string& stage_id) {
    auto stage = host_->call("arthall.stage", boost::json::value{{"stageId", stage_id}});
    if (!stage) {
        if (!stage.ok() && stage.error().is_not_found())
            return Error::invalid("field 'stageId': stage " + stage_id + " does not exist");
        return std::move(stage).error();
    }
    const auto* status = stage->as_object().if_contains("status");
    if (status == nullptr || !status->is_string() || status->as_string() != "ACTIVE") {
        return Error::invalid("field 'stageId': stage " + stage_id + " is not ACTIVE");
    }
    auto seats = host_->call("arthall.stage_seats", boost::json::value{{"stageId", stage_id}});
    if (!seats) return std::move(seats).error();
    std::vector<StageSeat> out;
    for (const auto& s : seats->as_object().at("seats").as_array()) {
        const auto& o = s.as_object();
        out.push_back({std::string(o.at("seatId").as_string()),
                       std::string(o.at("label").as_string()), o.at("x").to_number<double>(),
                       o.at("y").to_number<double>(), std::string(o.at("grade").as_string())});
    }
    return out;
}

Status ProductPlugin::write_grades(Tx& tx, const std::string& product_id,
                                   const std::string& seating,
                                   const std::vector<GradeInput>& grades,
                                   const std::vector<StageSeat>& seats) {
    SeatAssignment assignment(grades.size());
    if (seating == "RESERVED") {
        auto assigned = assign_seats(grades, seats);
        if (!assigned) return std::move(assigned).error();
        assignment = std::move(*assigned);
    }
    boost::json::array seat_rows;
    for (std::size_t g = 0; g < grades.size(); ++g) {
        const std::string grade_id = new_id("grd");
        const int64_t total = seating == "RESERVED" ? static_cast<int64_t>(assignment[g].size())
                                                    : grades[g].quantity.value_or(0);
        auto inserted = tx.exec(
            "INSERT INTO product.grades (id, product_id, position, name, price_amount, currency, "
            "total) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            grade_id, product_id, static_cast<int64_t>(g), grades[g].name, grades[g].price.amount,
            grades[g].price.currency, total);
        if (!inserted) return std::move(inserted).error();
        for (std::size_t index : assignment[g]) {
            const auto& s = seats[index];
            seat_rows.push_back({{"seat_id", s.seat_id},
                                 {"grade_id", grade_id},
                                 {"position", static_cast<int64_t>(index)},
                                 {"label", s.label},
                                 {"x", s.x},
                                 {"y", s.y}});
        }
    }
    if (seat_rows.empty()) return {};
    auto rows = tx.exec(
        "INSERT INTO product.grade_seats (product_id, seat_id, grade_id, position, label, x, y) "
        "SELECT $1, "
        "s.seat_id, s.grade_id, s.position, s.label, s.x, s.y FROM jsonb_to_recordset($2::jsonb) "
        "AS "
        "s(seat_id text, grade_id text, position int, label text, x float8, y float8)",
        product_id, boost::json::serialize(seat_rows));
    if (!rows) return std::move(rows).error();
    return {};
}

Response ProductPlugin::create_product(const Request& request) {
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto in = parse_product(*body, true, currency_);
    if (!in) return Response::from_error(in.error());
    std::vector<StageSeat> seats;
    // A body id names an object too: a seller builds only on stages of their own halls.
    auto owner = stage_owner(*in->stage_id);
    if (!owner) return Response::from_error(owner.error());
    if (!may_manage(request.principal(), *owner)) {
        return Response::error(
            403, "FORBIDDEN",
            "field 'stageId': stage " + *in->stage_id + " belongs to a hall of another seller");
    }
    auto stage = stage_seats(*in->stage_id);
    if (!stage) return Response::from_error(stage.error());
    seats = std::move(*stage);
    const std::string id = new_id("prd");
    const std::string actor(request.principal().subject());
    auto status = host_->db().transaction([&](Tx& tx) -> Status {
        auto rows = tx.exec(
            "INSERT INTO product.products (id, seller_id, title, description, category, stage_id, "
            "seating, sale_starts_at, sale_ends_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
            "to_timestamp($8::double precision / 1e6), to_timestamp($9::double precision / 1e6))",
            id, actor, *in->title, in->description.value_or(""), *in->category, *in->stage_id,
            *in->seating, *in->sale_starts_us, *in->sale_ends_us);
        if (!rows) return std::move(rows).error();
        if (auto s = write_grades(tx, id, *in->seating, *in->grades, seats); !s) return s;
        boost::json::array schedule_ids;
        for (const auto& s : in->schedules) {
            std::string schedule_id;
            if (auto st = insert_schedule(tx, id, s, schedule_id); !st) return st;
            schedule_ids.push_back(boost::json::string(schedule_id));
        }
        boost::json::object payload;
        payload["productId"] = id;
        payload["sellerId"] = actor;
        payload["title"] = *in->title;
        payload["stageId"] = *in->stage_id;
        payload["scheduleIds"] = std::move(schedule_ids);
        return tx.publish("product.created", id, payload, actor);
    });
    if (!status) return Response::from_error(status.error());
    auto out = product_json(id);
    if (!out) return Response::from_error(out.error());
    return Response::json(201, *out);
}

Result<boost::json::object> ProductPlugin::product_json(const std::string& product_id) {
    auto rows = host_->db().exec(
        "SELECT " + product_columns() + " FROM product.products p WHERE p.id = $1", product_id);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::not_found("product " + product_id + " does not exist");
    auto out = summary_json(rows->front());
    auto grades = host_->db().exec(
        "SELECT id, name, price_amount, currency, total FROM product.grades WHERE product_id = "
        "$1 ORDER BY position",
        product_id);
    if (!grades) return std::move(grades).error();
    boost::json::array grade_list;
    for (const auto& g : *grades) {
        grade_list.push_back(
            {{"gradeId", g.text("id")},
             {"name", g.text("name")},
             {"price",
              {{"amount", g.int64("price_amount").value_or(0)}, {"currency", g.text("currency")}}},
             {"total", g.int64("total").value_or(0)}});
    }
    out["grades"] = std::move(grade_list);
    auto schedules = host_->db().exec(
        "SELECT s.id, " + ts("s.starts_at") + " AS starts_at, " + ts("s.ends_at") +
            " AS ends_at, s.queue_required, (SELECT coalesce(json_agg(json_build_object('gradeId', "
            "sg.grade_id, "
            "'total', sg.total, 'held', sg.held, 'sold', sg.sold, 'remaining', sg.total - "
            "sg.held - sg.sold)), '[]') FROM product.schedule_grades sg WHERE "
            "sg.schedule_id = s.id) AS summary FROM product.schedules s WHERE "
            "s.product_id = $1 ORDER BY s.starts_at, s.id",
        product_id);
    if (!schedules) return std::move(schedules).error();
    boost::json::array schedule_list;
    for (const auto& s : *schedules) {
        boost::system::error_code ec;
        auto summary = boost::json::parse(s.text("summary", "[]"), ec);
        schedule_list.push_back({{"scheduleId", s.text("id")},
                                 {"startsAt", s.text("starts_at")},
                                 {"endsAt", s.text("ends_at")},
                                 {"queueRequired", s.text("queue_required") == "t"},
                                 {"grades", ec ? boost::json::array() : summary}});
    }
    out["schedules"] = std::move(schedule_list);
    return out;
}

Response ProductPlugin::list_products(const Request& request) {
    auto limit = page_limit(request);
    if (!limit) return Response::from_error(limit.error());
    const auto caller = request.principal();
    std::optional<int64_t> from, to;
    for (auto [name, slot] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
        if (auto raw = request.query(name)) {
            *slot = parse_rfc3339(*raw);
            if (!*slot)
                return Response::invalid_request(std::string("query parameter '") + name +
                                                 "' must be an RFC 3339 time");
        }
    }
    const auto status = request.query("status");
    if (status && std::find(std::begin(kStates), std::end(kStates), *status) == std::end(kStates)) {
        return Response::invalid_request("query parameter 'status' is not a product status");
    }
    const std::string viewer = caller.has_role("admin") ? "*" : std::string(caller.subject());
    auto rows = host_->db().exec("SELECT " + product_columns() +
                                     " FROM product.products p WHERE "
                                     "($1 = '*' OR p.status IN ('SCHEDULED', 'ON_SALE', 'CLOSED', "
                                     "'COMPLETED') OR (p.seller_id = $1 AND $1 <> '')) "
                                     "AND ($2::text IS NULL OR p.status = $2) AND ($3::text IS "
                                     "NULL OR p.title ILIKE '%' || $3 || '%') "
                                     "AND ($4::text IS NULL AND $5::text IS NULL OR EXISTS (SELECT "
                                     "1 FROM product.schedules s WHERE s.product_id = p.id "
                                     "AND ($4::text IS NULL OR s.starts_at >= "
                                     "to_timestamp($4::text::double precision / 1e6)) "
                                     "AND ($5::text IS NULL OR s.starts_at < "
                                     "to_timestamp($5::text::double precision / 1e6)))) "
                                     "AND ($6::text IS NULL OR p.seller_id = $6) "
                                     "AND ($7::text IS NULL OR (p.created_at, p.id) > (SELECT "
                                     "created_at, id FROM product.products WHERE id = $7)) "
                                     "ORDER BY p.created_at, p.id LIMIT $8",
                                 viewer, status, request.query("q"), from, to,
                                 request.query("sellerId"), request.query("cursor"), *limit + 1);
    if (!rows) return Response::from_error(rows.error());
    boost::json::array items;
    for (std::size_t i = 0; i < rows->size() && static_cast<int64_t>(i) < *limit; ++i)
        items.push_back(summary_json((*rows)[i]));
    boost::json::value next = nullptr;
    if (static_cast<int64_t>(rows->size()) > *limit)
        next = items.back().as_object().at("productId");
    return Response::json(200, {{"items", std::move(items)}, {"nextCursor", next}});
}

Response ProductPlugin::get_product(const Request& request) {
    const std::string id(request.param("productId"));
    auto out = product_json(id);
    if (!out) return Response::from_error(out.error());
    if (!may_see(request.principal(), out->at("status").as_string(),
                 out->at("sellerId").as_string())) {
        return Response::error(404, "NOT_FOUND", "product " + id + " does not exist");
    }
    return Response::json(200, *out);
}

Response ProductPlugin::update_product(const Request& request) {
    const std::string id(request.param("productId"));
    auto owner = product_owner(id);
    if (!owner) return Response::from_error(owner.error());
    if (!may_manage(request.principal(), owner->second))
        return Response::error(403, "FORBIDDEN", "not your product");
    if (owner->first != "DRAFT")
        return Response::error(409, "INVALID_STATE", "only a DRAFT product can be edited");
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto in = parse_product(*body, false, currency_);
    if (!in) return Response::from_error(in.error());
    auto current =
        host_->db().exec("SELECT stage_id, seating FROM product.products WHERE id = $1", id);
    if (!current) return Response::from_error(current.error());
    const std::string seating = current->front().text("seating");
    std::vector<StageSeat> seats;
    if (in->grades) {
        for (std::size_t i = 0; i < in->grades->size(); ++i) {
            const auto& g = (*in->grades)[i];
            const std::string where = "grades[" + std::to_string(i) + "]";
            if (seating == "GENERAL_ADMISSION" && !g.quantity)
                return Response::invalid_request("field '" + where +
                                                 ".quantity' is required for general admission");
            if (seating == "RESERVED" && g.quantity)
                return Response::invalid_request("field '" + where +
                                                 ".quantity' is only for general admission");
        }
        auto stage = stage_seats(current->front().text("stage_id"));
        if (!stage) return Response::from_error(stage.error());
        seats = std::move(*stage);
    }
    const std::string actor(request.principal().subject());
    auto status = host_->db().transaction([&](Tx& tx) -> Status {
        auto rows = tx.exec(
            "UPDATE product.products SET title = COALESCE($2, title), description = COALESCE($3, "
            "description), category = COALESCE($4, category), sale_starts_at = "
            "COALESCE(to_timestamp("
            "$5::double precision / 1e6), sale_starts_at), sale_ends_at = COALESCE(to_timestamp("
            "$6::double precision / 1e6), sale_ends_at), updated_at = now() WHERE id = $1 AND "
            "status = "
            "'DRAFT'",
            id, in->title, in->description, in->category, in->sale_starts_us, in->sale_ends_us);
        if (!rows) {
            if (!rows.ok() && rows.error().is_constraint())
                return Error::invalid("field 'saleEndsAt' must be after saleStartsAt");
            return std::move(rows).error();
        }
        if (rows->affected == 0) return Error::state("only a DRAFT product can be edited");
        if (in->grades) {
            for (const char* sql : {"DELETE FROM product.grade_seats WHERE product_id = $1",
                                    "DELETE FROM product.grades WHERE product_id = $1"}) {
                if (auto d = tx.exec(sql, id); !d) return std::move(d).error();
            }
            if (auto s = write_grades(tx, id, seating, *in->grades, seats); !s) return s;
        }
        boost::json::object payload;
        payload["productId"] = id;
        payload["sellerId"] = owner->second;
        payload["changes"] = *body;
        return tx.publish("product.updated", id, payload, actor);
    });
    if (!status) {
        if (!status.ok() && status.error().is_state())
            return Response::error(409, "INVALID_STATE", status.message());
        return Response::from_error(status.error());
    }
    facts_->invalidate_product(id);
    auto out = product_json(id);
    if (!out) return Response::from_error(out.error());
    return Response::json(200, *out);
}

Response ProductPlugin::add_schedule(const Request& request) {
    const std::string id(request.param("productId"));
    auto owner = product_owner(id);
    if (!owner) return Response::from_error(owner.error());
    if (!may_manage(request.principal(), owner->second))
        return Response::error(403, "FORBIDDEN", "not your product");
    if (owner->first != "DRAFT")
        return Response::error(409, "INVALID_STATE",
                               "schedules are added while the product is DRAFT");
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto schedule = parse_schedule(*body, "");
    if (!schedule) return Response::from_error(schedule.error());
    const std::string actor(request.principal().subject());
    std::string schedule_id;
    auto status = host_->db().transaction([&](Tx& tx) -> Status {
        auto locked = tx.exec("SELECT status FROM product.products WHERE id = $1 FOR UPDATE", id);
        if (!locked) return std::move(locked).error();
        if (locked->empty() || locked->front().text("status") != "DRAFT")
            return Error::state("product is no longer DRAFT");
        if (auto s = insert_schedule(tx, id, *schedule, schedule_id); !s) return s;
        boost::json::object payload;
        payload["productId"] = id;
        payload["scheduleId"] = schedule_id;
        payload["startsAt"] = format_rfc3339(schedule->starts_us);
        return tx.publish("product.updated", id, payload, actor);
    });
    if (!status) {
        if (!status.ok() && status.error().is_state())
            return Response::error(409, "INVALID_STATE", status.message());
        return Response::from_error(status.error());
    }
    return Response::json(
        201,
        {{"scheduleId", schedule_id},
         {"productId", id},
         {"startsAt", format_rfc3339(schedule->starts_us)},
         {"endsAt", format_rfc3339(schedule->starts_us + schedule->duration_minutes * 60000000)}});
}

}  // namespace admit::product

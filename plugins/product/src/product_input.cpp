#include "product_input.hpp"

#include <admit/sdk/json_fields.hpp>

#include <unordered_map>

namespace admit::product {
namespace {

using admit::sdk::Error;
namespace fields = admit::sdk::fields;

Error at(const std::string& where, const Error& e) {
    return Error::invalid(where + ": " + e.message);
}

Result<std::optional<std::string>> text(const boost::json::object& body, std::string_view field,
                                        bool required, std::size_t max) {
    auto value = fields::optional_string(body, field);
    if (!value) return std::move(value).error();
    if (!*value) {
        if (required) return Error::invalid("field '" + std::string(field) + "' is required");
        return std::optional<std::string>{};
    }
    if ((**value).empty() && required)
        return Error::invalid("field '" + std::string(field) + "' must not be empty");
    if ((**value).size() > max) {
        return Error::invalid("field '" + std::string(field) + "' is longer than " +
                              std::to_string(max));
    }
    return value;
}

Result<std::optional<int64_t>> time_field(const boost::json::object& body, std::string_view field,
                                          bool required) {
    auto raw = text(body, field, required, 64);
    if (!raw) return std::move(raw).error();
    if (!*raw) return std::optional<int64_t>{};
    auto us = parse_rfc3339(**raw);
    if (!us) return Error::invalid("field '" + std::string(field) + "' must be an RFC 3339 time");
    return std::optional<int64_t>(*us);
}

Result<GradeInput> parse_grade(const boost::json::value& value, const std::string& where,
                               const std::string& currency) {
    if (!value.is_object()) return Error::invalid("field '" + where + "' must be an object");
    const auto& obj = value.as_object();
    GradeInput grade;
    auto name = text(obj, "name", true, 32);
    if (!name) return at(where, name.error());
    grade.name = **name;
    auto price = fields::required_object(obj, "price");
    if (!price) return at(where, price.error());
    auto amount = fields::required_int(*price, "amount", 0, INT64_C(1000000000000));
    if (!amount) return at(where + ".price", amount.error());
    auto cur = fields::required_string(*price, "currency");
    if (!cur) return at(where + ".price", cur.error());
    if (*cur != currency)
        return Error::invalid("field '" + where + ".price.currency' must be " + currency);
    grade.price = {*amount, *cur};
    auto stage_grade = text(obj, "stageGrade", false, 32);
    if (!stage_grade) return at(where, stage_grade.error());
    grade.stage_grade = stage_grade->value_or(grade.name);
    if (const auto* ids = obj.if_contains("seatIds"); ids != nullptr && !ids->is_null()) {
        auto list = fields::required_string_array(obj, "seatIds");
        if (!list) return at(where, list.error());
        grade.seat_ids = std::move(*list);
    }
    auto quantity = fields::optional_int(obj, "quantity", 1, 1000000);
    if (!quantity) return at(where, quantity.error());
    grade.quantity = *quantity;
    return grade;
}

}  // namespace

Result<ScheduleInput> parse_schedule(const boost::json::object& body, const std::string& where) {
    auto starts = time_field(body, "startsAt", true);
    if (!starts) return where.empty() ? std::move(starts).error() : at(where, starts.error());
    auto duration = fields::optional_int(body, "durationMinutes", 1, 1440);
    if (!duration) return where.empty() ? std::move(duration).error() : at(where, duration.error());
    bool queue_required = false;
    if (const auto* queued = body.if_contains("queueRequired"); queued && !queued->is_null()) {
        if (!queued->is_bool()) {
            auto error = Error::invalid("field 'queueRequired' must be a boolean");
            return where.empty() ? error : at(where, error);
        }
        queue_required = queued->as_bool();
    }
    return ScheduleInput{**starts, duration->value_or(120), queue_required};
}

Result<ProductInput> parse_product(const boost::json::object& body, bool for_create,
                                   const std::string& currency) {
    ProductInput in;
    auto title = text(body, "title", for_create, 200);
    if (!title) return std::move(title).error();
    in.title = *title;
    auto description = text(body, "description", false, 5000);
    if (!description) return std::move(description).error();
    in.description = *description;
    auto category = text(body, "category", for_create, 40);
    if (!category) return std::move(category).error();
    in.category = *category;
    auto stage = text(body, "stageId", for_create, 64);
    if (!stage) return std::move(stage).error();
    if (!for_create && *stage)
        return Error::invalid("field 'stageId' cannot change; create a new product");
    in.stage_id = *stage;
    auto seating = text(body, "seating", false, 32);
    if (!seating) return std::move(seating).error();
    if (*seating && **seating != "RESERVED" && **seating != "GENERAL_ADMISSION") {
        return Error::invalid("field 'seating' must be RESERVED or GENERAL_ADMISSION");
    }
    if (!for_create && *seating)
        return Error::invalid("field 'seating' cannot change; create a new product");
    in.seating =
        for_create ? std::optional<std::string>(seating->value_or("RESERVED")) : std::nullopt;
    auto starts = time_field(body, "saleStartsAt", for_create);
    if (!starts) return std::move(starts).error();
    in.sale_starts_us = *starts;
    auto ends = time_field(body, "saleEndsAt", for_create);
    if (!ends) return std::move(ends).error();
    in.sale_ends_us = *ends;
    if (in.sale_starts_us && in.sale_ends_us && *in.sale_ends_us <= *in.sale_starts_us) {
        return Error::invalid("field 'saleEndsAt' must be after saleStartsAt");
    }
    if (const auto* raw = body.if_contains("grades"); raw != nullptr && !raw->is_null()) {
        if (!raw->is_array() || raw->as_array().empty() || raw->as_array().size() > 50) {
            return Error::invalid("field 'grades' must be an array of 1-50 grades");
        }
        std::vector<GradeInput> grades;
        for (std::size_t i = 0; i < raw->as_array().size(); ++i) {
            auto grade =
                parse_grade(raw->as_array()[i], "grades[" + std::to_string(i) + "]", currency);
            if (!grade) return std::move(grade).error();
            for (const auto& g : grades) {
                if (g.name == grade->name)
                    return Error::invalid("field 'grades[" + std::to_string(i) +
                                          "].name' repeats " + g.name);
            }
            grades.push_back(std::move(*grade));
        }
        in.grades = std::move(grades);
    } else if (for_create) {
        return Error::invalid("field 'grades' is required");
    }
    if (in.grades && in.seating) {
        const bool ga = *in.seating == "GENERAL_ADMISSION";
        for (std::size_t i = 0; i < in.grades->size(); ++i) {
            const auto& g = (*in.grades)[i];
            const std::string where = "grades[" + std::to_string(i) + "]";
            if (ga && !g.quantity)
                return Error::invalid("field '" + where +
                                      ".quantity' is required for general admission");
            if (ga && g.seat_ids)
                return Error::invalid("field '" + where +
                                      ".seatIds' is not allowed for general admission");
            if (!ga && g.quantity)
                return Error::invalid("field '" + where +
                                      ".quantity' is only for general admission");
        }
    }
    if (const auto* raw = body.if_contains("schedules"); raw != nullptr && !raw->is_null()) {
        if (!for_create)
            return Error::invalid("field 'schedules' is only accepted on create; POST /schedules");
        if (!raw->is_array() || raw->as_array().size() > 100)
            return Error::invalid("field 'schedules' must be an array of up to 100");
        for (std::size_t i = 0; i < raw->as_array().size(); ++i) {
            const std::string where = "schedules[" + std::to_string(i) + "]";
            if (!raw->as_array()[i].is_object())
                return Error::invalid("field '" + where + "' must be an object");
            auto schedule = parse_schedule(raw->as_array()[i].as_object(), where);
            if (!schedule) return std::move(schedule).error();
            in.schedules.push_back(*schedule);
        }
    }
    return in;
}

Result<SeatAssignment> assign_seats(const std::vector<GradeInput>& grades,
                                    const std::vector<StageSeat>& seats) {
    std::unordered_map<std::string, std::size_t> by_id;
    for (std::size_t i = 0; i < seats.size(); ++i) by_id.emplace(seats[i].seat_id, i);
    std::vector<int> owner(seats.size(), -1);
    SeatAssignment out(grades.size());
    auto claim = [&](std::size_t grade, std::size_t seat) -> Result<bool> {
        if (owner[seat] >= 0 && owner[seat] != static_cast<int>(grade)) {
            return Error::invalid("field 'grades[" + std::to_string(grade) + "]': seat " +
                                  seats[seat].label + " already belongs to grade " +
                                  grades[static_cast<std::size_t>(owner[seat])].name);
        }
        owner[seat] = static_cast<int>(grade);
        return true;
    };
    for (std::size_t g = 0; g < grades.size(); ++g) {  // explicit seats win over layout grades
        if (!grades[g].seat_ids) continue;
        for (const auto& id : *grades[g].seat_ids) {
            auto it = by_id.find(id);
            if (it == by_id.end()) {
                return Error::invalid("field 'grades[" + std::to_string(g) + "].seatIds': seat " +
                                      id + " is not on the stage");
            }
            if (auto c = claim(g, it->second); !c) return std::move(c).error();
        }
    }
    for (std::size_t g = 0; g < grades.size(); ++g) {
        if (grades[g].seat_ids) continue;
        for (std::size_t s = 0; s < seats.size(); ++s) {
            if (seats[s].grade == grades[g].stage_grade && owner[s] < 0)
                owner[s] = static_cast<int>(g);
        }
    }
    for (std::size_t s = 0; s < seats.size(); ++s) {
        if (owner[s] >= 0) out[static_cast<std::size_t>(owner[s])].push_back(s);
    }
    for (std::size_t g = 0; g < grades.size(); ++g) {
        if (out[g].empty()) {
            return Error::invalid("field 'grades[" + std::to_string(g) +
                                  "]' matches no seat of the stage (stage grade '" +
                                  grades[g].stage_grade + "')");
        }
    }
    return out;
}

}  // namespace admit::product

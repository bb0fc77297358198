#include "host/policy/output_schema.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <lua.hpp>

#include <cmath>
#include <exception>
#include <fstream>
#include <iterator>

namespace admit::policy {

struct OutputSchema::Scalar {
    Type type = Type::object;
    double number = 0;  // integer and number
    std::string_view text;
};

namespace {

std::optional<OutputSchema::Type> type_named(std::string_view name) {
    using T = OutputSchema::Type;
    if (name == "integer") return T::integer;
    if (name == "number") return T::number;
    if (name == "string") return T::string;
    if (name == "boolean") return T::boolean;
    if (name == "object") return T::object;
    if (name == "array") return T::array;
    return std::nullopt;
}

const char* type_name(OutputSchema::Type type) {
    using T = OutputSchema::Type;
    switch (type) {
        case T::integer:
            return "an integer";
        case T::number:
            return "a number";
        case T::string:
            return "a string";
        case T::boolean:
            return "a boolean";
        case T::object:
            return "an object";
        case T::array:
            return "an array";
    }
    return "a value";
}

std::string number_text(double value) {
    if (std::floor(value) == value && std::fabs(value) < 9.0e15) {
        return std::to_string(static_cast<long long>(value));
    }
    return boost::json::serialize(boost::json::value(value));
}

Result<double> bound(const boost::json::object& spec, std::string_view key,
                     const std::string& where) {
    const auto* value = spec.if_contains(key);
    if (value->is_int64()) return static_cast<double>(value->get_int64());
    if (value->is_uint64()) return static_cast<double>(value->get_uint64());
    if (value->is_double()) return value->get_double();
    return Error{ErrorCode::POLICY_CONTRACT, where + "." + std::string(key) + " must be a number"};
}

Result<OutputSchema::Field> parse_field(const boost::json::value& value, const std::string& where) {
    if (!value.is_object()) return Error{ErrorCode::POLICY_CONTRACT, where + " must be an object"};
    const auto& spec = value.get_object();
    OutputSchema::Field field;
    const auto* type = spec.if_contains("type");
    if (type == nullptr || !type->is_string() || !type_named(type->get_string())) {
        return Error{ErrorCode::POLICY_CONTRACT,
                     where + ".type must be integer, number, string, boolean, object or array"};
    }
    field.type = *type_named(type->get_string());
    for (const auto& [key, member] : spec) {
        if (key == "type") continue;
        if (key == "required" || key == "money" || key == "time") {
            if (!member.is_bool()) {
                return Error{ErrorCode::POLICY_CONTRACT,
                             where + "." + std::string(key) + " must be true or false"};
            }
            bool& flag = key == "required" ? field.required
                         : key == "money"  ? field.money
                                           : field.time;
            flag = member.get_bool();
        } else if (key == "min" || key == "max") {
            if (field.type != OutputSchema::Type::integer &&
                field.type != OutputSchema::Type::number) {
                return Error{ErrorCode::POLICY_CONTRACT,
                             where + "." + std::string(key) + " applies to numbers only"};
            }
            auto limit = bound(spec, key, where);
            if (!limit) return limit.error();
            (key == "min" ? field.min : field.max) = limit.value();
        } else if (key == "oneOf") {
            if (field.type != OutputSchema::Type::string || !member.is_array()) {
                return Error{ErrorCode::POLICY_CONTRACT,
                             where + ".oneOf must be an array of strings on a string field"};
            }
            for (const auto& option : member.get_array()) {
                if (!option.is_string()) {
                    return Error{ErrorCode::POLICY_CONTRACT,
                                 where + ".oneOf must be an array of strings"};
                }
                field.one_of.emplace_back(option.get_string());
            }
        } else {
            return Error{ErrorCode::POLICY_CONTRACT,
                         where + ": unknown key '" + std::string(key) + "'"};
        }
    }
    return field;
}

}  // namespace

Result<std::shared_ptr<const OutputSchema>> OutputSchema::parse(std::string_view json,
                                                                std::string_view origin) {
    auto schema = std::make_shared<OutputSchema>();
    schema->origin_ = std::string(origin);
    boost::system::error_code error;
    boost::json::value root = boost::json::parse(json, error);
    if (error) {
        return Error{ErrorCode::POLICY_CONTRACT,
                     schema->origin_ + ": not valid JSON: " + error.message()};
    }
    const auto* fields = root.is_object() ? root.get_object().if_contains("fields") : nullptr;
    if (fields == nullptr || !fields->is_object() || fields->get_object().empty()) {
        return Error{ErrorCode::POLICY_CONTRACT,
                     schema->origin_ + ": expected {\"fields\": {\"<name>\": {\"type\": ...}}}"};
    }
    for (const auto& [name, spec] : fields->get_object()) {
        auto field = parse_field(spec, schema->origin_ + ": fields." + std::string(name));
        if (!field) return field.error();
        schema->fields_.emplace(std::string(name), std::move(field.value()));
    }
    return std::shared_ptr<const OutputSchema>(std::move(schema));
}

Result<std::shared_ptr<const OutputSchema>> OutputSchema::load(const std::filesystem::path& path) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) return std::shared_ptr<const OutputSchema>();
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
        return Error{ErrorCode::POLICY_IO, "cannot read " + path.string()};
    }
    return parse(text, path.filename().string());
}

bool OutputSchema::sets_money_or_time() const {
    for (const auto& [name, field] : fields_) {
        if (field.money || field.time) return true;
    }
    return false;
}

std::string OutputSchema::check_field(std::string_view name, const Scalar& value) const {
    auto found = fields_.find(name);
    if (found == fields_.end()) {
        return "output field '" + std::string(name) + "' is not declared in " + origin_;
    }
    const Field& field = found->second;
    const bool numeric_ok = field.type == Type::number && value.type == Type::integer;
    if (value.type != field.type && !numeric_ok) {
        return "output field '" + std::string(name) + "' must be " + type_name(field.type) +
               ", got " + type_name(value.type);
    }
    if (field.min && value.number < *field.min) {
        return "output field '" + std::string(name) + "' is " + number_text(value.number) +
               ", below its minimum " + number_text(*field.min);
    }
    if (field.max && value.number > *field.max) {
        return "output field '" + std::string(name) + "' is " + number_text(value.number) +
               ", above its maximum " + number_text(*field.max);
    }
    if (!field.one_of.empty()) {
        bool listed = false;
        for (const auto& option : field.one_of) listed = listed || option == value.text;
        if (!listed) {
            return "output field '" + std::string(name) + "' is \"" + std::string(value.text) +
                   "\", not one of its declared values";
        }
    }
    return {};
}

std::string OutputSchema::missing_required(const std::vector<std::string_view>& seen) const {
    for (const auto& [name, field] : fields_) {
        if (!field.required) continue;
        bool present = false;
        for (auto s : seen) present = present || s == name;
        if (!present) return "output field '" + name + "' is required by " + origin_;
    }
    return {};
}

std::string OutputSchema::check(lua_State* L, int idx) const noexcept {
    try {
        idx = lua_absindex(L, idx);
        if (!lua_istable(L, idx)) return "a decision must be a table";
        std::vector<std::string_view> seen;
        lua_pushnil(L);
        while (lua_next(L, idx) != 0) {
            if (lua_type(L, -2) != LUA_TSTRING) {
                lua_pop(L, 2);
                return "a decision's keys must be field names (strings)";
            }
            std::size_t length = 0;
            const char* key = lua_tolstring(L, -2, &length);
            Scalar value;
            switch (lua_type(L, -1)) {
                case LUA_TNUMBER:
                    value.number = lua_tonumber(L, -1);
                    value.type = lua_isinteger(L, -1) || std::floor(value.number) == value.number
                                     ? Type::integer
                                     : Type::number;
                    break;
                case LUA_TSTRING: {
                    std::size_t text_length = 0;
                    const char* text = lua_tolstring(L, -1, &text_length);
                    value.type = Type::string;
                    value.text = {text, text_length};
                    break;
                }
                case LUA_TBOOLEAN:
                    value.type = Type::boolean;
                    break;
                case LUA_TTABLE:
                    value.type = lua_rawlen(L, -1) > 0 ? Type::array : Type::object;
                    break;
                default:
                    value.type = Type::object;
                    break;
            }
            const std::string_view name(key, length);
            std::string problem = check_field(name, value);
            lua_pop(L, 1);
            if (!problem.empty()) {
                lua_pop(L, 1);
                return problem;
            }
            seen.push_back(name);  // the key stays referenced by the table while we iterate
        }
        return missing_required(seen);
    } catch (const std::exception& e) {
        return std::string("output check failed: ") + e.what();
    }
}

std::string OutputSchema::check(const boost::json::value& decision) const {
    if (!decision.is_object()) return "a decision must be an object";
    std::vector<std::string_view> seen;
    for (const auto& [key, member] : decision.get_object()) {
        Scalar value;
        if (member.is_int64() || member.is_uint64()) {
            value.type = Type::integer;
            value.number = member.to_number<double>();
        } else if (member.is_double()) {
            value.number = member.get_double();
            value.type = std::floor(value.number) == value.number ? Type::integer : Type::number;
        } else if (member.is_string()) {
            value.type = Type::string;
            value.text = member.get_string();
        } else if (member.is_bool()) {
            value.type = Type::boolean;
        } else if (member.is_array()) {
            value.type = Type::array;
        } else {
            value.type = Type::object;
        }
        std::string problem = check_field(key, value);
        if (!problem.empty()) return problem;
        seen.push_back(key);
    }
    return missing_required(seen);
}

}  // namespace admit::policy

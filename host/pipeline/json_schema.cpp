#include "host/pipeline/json_schema.hpp"

#include <cmath>
#include <regex>
#include <set>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace admit::runtime {

namespace {

enum TypeBit : unsigned {
    kNull = 1u << 0,
    kBoolean = 1u << 1,
    kObject = 1u << 2,
    kArray = 1u << 3,
    kNumber = 1u << 4,
    kInteger = 1u << 5,
    kString = 1u << 6,
};

std::optional<unsigned> type_bit(std::string_view name) {
    if (name == "null") return kNull;
    if (name == "boolean") return kBoolean;
    if (name == "object") return kObject;
    if (name == "array") return kArray;
    if (name == "number") return kNumber;
    if (name == "integer") return kInteger;
    if (name == "string") return kString;
    return std::nullopt;
}

const std::set<std::string_view>& supported_keywords() {
    // Built on first use, not in a static initializer.
    static const std::set<std::string_view> keywords{"type",
                                                     "enum",
                                                     "const",
                                                     "anyOf",
                                                     "oneOf",
                                                     "allOf",
                                                     "minLength",
                                                     "maxLength",
                                                     "pattern",
                                                     "format",
                                                     "minimum",
                                                     "maximum",
                                                     "exclusiveMinimum",
                                                     "exclusiveMaximum",
                                                     "properties",
                                                     "required",
                                                     "additionalProperties",
                                                     "minProperties",
                                                     "maxProperties",
                                                     "items",
                                                     "minItems",
                                                     "maxItems",
                                                     "uniqueItems",
                                                     "title",
                                                     "description",
                                                     "examples",
                                                     "default",
                                                     "deprecated",
                                                     "readOnly",
                                                     "writeOnly",
                                                     "$comment"};
    return keywords;
}

std::string type_name(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null:
            return "null";
        case boost::json::kind::bool_:
            return "a boolean";
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
            return "an integer";
        case boost::json::kind::double_:
            return "a number";
        case boost::json::kind::string:
            return "a string";
        case boost::json::kind::array:
            return "an array";
        case boost::json::kind::object:
            return "an object";
    }
    return "a value";
}

bool matches_type(const boost::json::value& v, unsigned types) {
    switch (v.kind()) {
        case boost::json::kind::null:
            return (types & kNull) != 0;
        case boost::json::kind::bool_:
            return (types & kBoolean) != 0;
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
            return (types & (kInteger | kNumber)) != 0;
        case boost::json::kind::double_:
            return (types & kNumber) != 0;
        case boost::json::kind::string:
            return (types & kString) != 0;
        case boost::json::kind::array:
            return (types & kArray) != 0;
        case boost::json::kind::object:
            return (types & kObject) != 0;
    }
    return false;
}

std::string expected_types(unsigned types) {
    static constexpr std::pair<unsigned, std::string_view> kNames[] = {
        {kObject, "an object"},   {kArray, "an array"},  {kString, "a string"},
        {kInteger, "an integer"}, {kNumber, "a number"}, {kBoolean, "a boolean"},
        {kNull, "null"}};
    std::string out;
    for (const auto& [bit, name] : kNames) {
        if ((types & bit) == 0) continue;
        if (!out.empty()) out += " or ";
        out += name;
    }
    return out;
}

std::size_t code_points(std::string_view text) {
    std::size_t n = 0;
    for (unsigned char c : text) n += (c & 0xC0u) != 0x80u ? 1 : 0;
    return n;
}

double as_double(const boost::json::value& v) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    return v.get_double();
}

// RFC 3339 date-time, e.g. 2026-12-05T19:00:00Z or 2026-12-05T19:00:00.123+09:00.
bool is_date_time(std::string_view s) {
    if (s.size() > 64) return false;  // bounds the regex's work
    static const std::regex kDateTime(
        R"(^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
    return std::regex_match(s.begin(), s.end(), kDateTime);
}

std::string join_path(std::string_view base, std::string_view property) {
    std::string out(base);
    out += '.';
    out += property;
    return out;
}

}  // namespace

struct JsonSchema::Node {
    unsigned types = 0;  // 0: any type
    std::vector<boost::json::value> enum_values;
    std::optional<boost::json::value> const_value;
    std::vector<Node> any_of, one_of, all_of;
    std::optional<std::size_t> min_length, max_length;
    std::optional<std::regex> pattern;
    std::string pattern_text;
    bool date_time = false;
    std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;
    std::vector<std::pair<std::string, Node>> properties;
    std::vector<std::string> required;
    bool additional_allowed = true;
    std::shared_ptr<const Node> additional_schema;
    std::optional<std::size_t> min_properties, max_properties;
    std::shared_ptr<const Node> items;
    std::optional<std::size_t> min_items, max_items;
    bool unique_items = false;

    std::optional<std::string> check(const boost::json::value& v, const std::string& where) const;

  private:
    std::optional<std::string> check_string(std::string_view s, const std::string& where) const;
    std::optional<std::string> check_number(const boost::json::value& v,
                                            const std::string& where) const;
    std::optional<std::string> check_object(const boost::json::object& o,
                                            const std::string& where) const;
    std::optional<std::string> check_array(const boost::json::array& a,
                                           const std::string& where) const;
    std::optional<std::string> check_combinators(const boost::json::value& v,
                                                 const std::string& where) const;
};

namespace {

Result<JsonSchema::Node> compile_node(const boost::json::value& doc, const std::string& pointer);

constexpr std::size_t kMaxPatternSubject = 1024;

Error schema_error(const std::string& pointer, std::string_view problem) {
    return Error{ErrorCode::INVALID_ARGUMENT,
                 fmt::format("schema {}: {}", pointer.empty() ? "/" : pointer, problem)};
}

Result<std::size_t> count_of(const boost::json::value& v, const std::string& pointer) {
    if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::size_t>(v.get_int64());
    if (v.is_uint64()) return static_cast<std::size_t>(v.get_uint64());
    return schema_error(pointer, "must be a non-negative integer");
}

Result<double> number_of(const boost::json::value& v, const std::string& pointer) {
    if (v.is_number()) return as_double(v);
    return schema_error(pointer, "must be a number");
}

Result<std::vector<JsonSchema::Node>> compile_list(const boost::json::value& v,
                                                   const std::string& pointer) {
    if (!v.is_array() || v.get_array().empty())
        return schema_error(pointer, "must be a non-empty array of schemas");
    std::vector<JsonSchema::Node> out;
    std::size_t i = 0;
    for (const auto& item : v.get_array()) {
        auto node = compile_node(item, fmt::format("{}/{}", pointer, i++));
        if (!node) return node.error();
        out.push_back(std::move(*node));
    }
    return out;
}

Result<unsigned> compile_types(const boost::json::value& v, const std::string& pointer) {
    unsigned types = 0;
    auto add = [&](const boost::json::value& name) -> Status {
        auto bit = name.is_string() ? type_bit(name.get_string()) : std::nullopt;
        if (!bit) return schema_error(pointer, "unknown type name");
        types |= *bit;
        return {};
    };
    if (v.is_array()) {
        for (const auto& name : v.get_array()) {
            if (auto s = add(name); !s) return s.error();
        }
    } else if (auto s = add(v); !s) {
        return s.error();
    }
    if (types == 0) return schema_error(pointer, "names no type");
    return types;
}

Status compile_string_keywords(const boost::json::object& o, const std::string& pointer,
                               JsonSchema::Node& node) {
    if (auto* v = o.if_contains("minLength")) {
        auto n = count_of(*v, pointer + "/minLength");
        if (!n) return n.error();
        node.min_length = *n;
    }
    if (auto* v = o.if_contains("maxLength")) {
        auto n = count_of(*v, pointer + "/maxLength");
        if (!n) return n.error();
        node.max_length = *n;
    }
    if (auto* v = o.if_contains("pattern")) {
        if (!v->is_string()) return schema_error(pointer + "/pattern", "must be a string");
        node.pattern_text = std::string(v->get_string());
        try {
            node.pattern.emplace(node.pattern_text, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            return schema_error(pointer + "/pattern", fmt::format("invalid pattern: {}", e.what()));
        }
    }
    // std::regex backtracks and recurses per character: a pattern runs only on strings whose
    // length the schema bounds (checked before the pattern).
    if (node.pattern && (!node.max_length || *node.max_length > kMaxPatternSubject))
        return schema_error(
            pointer + "/pattern",
            fmt::format("a pattern needs maxLength of at most {}", kMaxPatternSubject));
    if (auto* v = o.if_contains("format")) {
        if (!v->is_string()) return schema_error(pointer + "/format", "must be a string");
        node.date_time = v->get_string() == "date-time";
    }
    return {};
}

Status compile_number_keywords(const boost::json::object& o, const std::string& pointer,
                               JsonSchema::Node& node) {
    const std::pair<const char*, std::optional<double> JsonSchema::Node::*> bounds[] = {
        {"minimum", &JsonSchema::Node::minimum},
        {"maximum", &JsonSchema::Node::maximum},
        {"exclusiveMinimum", &JsonSchema::Node::exclusive_minimum},
        {"exclusiveMaximum", &JsonSchema::Node::exclusive_maximum}};
    for (const auto& [name, member] : bounds) {
        if (auto* v = o.if_contains(name)) {
            auto n = number_of(*v, pointer + "/" + name);
            if (!n) return n.error();
            node.*member = *n;
        }
    }
    return {};
}

Status compile_object_keywords(const boost::json::object& o, const std::string& pointer,
                               JsonSchema::Node& node) {
    if (auto* v = o.if_contains("properties")) {
        if (!v->is_object()) return schema_error(pointer + "/properties", "must be an object");
        for (const auto& [name, sub] : v->get_object()) {
            auto child =
                compile_node(sub, fmt::format("{}/properties/{}", pointer, std::string_view(name)));
            if (!child) return child.error();
            node.properties.emplace_back(std::string(name), std::move(*child));
        }
    }
    if (auto* v = o.if_contains("required")) {
        if (!v->is_array()) return schema_error(pointer + "/required", "must be an array");
        for (const auto& name : v->get_array()) {
            if (!name.is_string())
                return schema_error(pointer + "/required", "must list property names");
            node.required.emplace_back(name.get_string());
        }
    }
    if (auto* v = o.if_contains("additionalProperties")) {
        if (v->is_bool()) {
            node.additional_allowed = v->get_bool();
        } else {
            auto child = compile_node(*v, pointer + "/additionalProperties");
            if (!child) return child.error();
            node.additional_schema = std::make_shared<const JsonSchema::Node>(std::move(*child));
        }
    }
    for (auto [name, member] : {std::pair{"minProperties", &JsonSchema::Node::min_properties},
                                std::pair{"maxProperties", &JsonSchema::Node::max_properties},
                                std::pair{"minItems", &JsonSchema::Node::min_items},
                                std::pair{"maxItems", &JsonSchema::Node::max_items}}) {
        if (auto* v = o.if_contains(name)) {
            auto n = count_of(*v, pointer + "/" + name);
            if (!n) return n.error();
            node.*member = *n;
        }
    }
    if (auto* v = o.if_contains("items")) {
        auto child = compile_node(*v, pointer + "/items");
        if (!child) return child.error();
        node.items = std::make_shared<const JsonSchema::Node>(std::move(*child));
    }
    if (auto* v = o.if_contains("uniqueItems")) {
        if (!v->is_bool()) return schema_error(pointer + "/uniqueItems", "must be a boolean");
        node.unique_items = v->get_bool();
    }
    return {};
}

Result<JsonSchema::Node> compile_node(const boost::json::value& doc, const std::string& pointer) {
    if (!doc.is_object()) return schema_error(pointer, "a schema must be an object");
    const auto& o = doc.get_object();
    for (const auto& [key, value] : o) {
        if (!supported_keywords().contains(std::string_view(key)))
            return schema_error(pointer,
                                fmt::format("unsupported keyword \"{}\"", std::string_view(key)));
    }
    JsonSchema::Node node;
    if (auto* v = o.if_contains("type")) {
        auto types = compile_types(*v, pointer + "/type");
        if (!types) return types.error();
        node.types = *types;
    }
    if (auto* v = o.if_contains("enum")) {
        if (!v->is_array() || v->get_array().empty())
            return schema_error(pointer + "/enum", "must be a non-empty array");
        node.enum_values.assign(v->get_array().begin(), v->get_array().end());
    }
    if (auto* v = o.if_contains("const")) node.const_value = *v;
    for (auto [name, member] : {std::pair{"anyOf", &JsonSchema::Node::any_of},
                                std::pair{"oneOf", &JsonSchema::Node::one_of},
                                std::pair{"allOf", &JsonSchema::Node::all_of}}) {
        if (auto* v = o.if_contains(name)) {
            auto list = compile_list(*v, pointer + "/" + name);
            if (!list) return list.error();
            node.*member = std::move(*list);
        }
    }
    if (auto s = compile_string_keywords(o, pointer, node); !s) return s.error();
    if (auto s = compile_number_keywords(o, pointer, node); !s) return s.error();
    if (auto s = compile_object_keywords(o, pointer, node); !s) return s.error();
    return node;
}

}  // namespace

std::optional<std::string> JsonSchema::Node::check(const boost::json::value& v,
                                                   const std::string& where) const {
    if (types != 0 && !matches_type(v, types)) {
        return fmt::format("{}: must be {} (got {})", where, expected_types(types), type_name(v));
    }
    if (!enum_values.empty()) {
        bool found = false;
        for (const auto& e : enum_values) found = found || e == v;
        if (!found) {
            std::string allowed;
            for (const auto& e : enum_values)
                allowed += (allowed.empty() ? "" : ", ") + boost::json::serialize(e);
            return fmt::format("{}: must be one of {}", where, allowed);
        }
    }
    if (const_value && *const_value != v)
        return fmt::format("{}: must be {}", where, boost::json::serialize(*const_value));
    if (v.is_string()) {
        if (auto problem = check_string(v.get_string(), where)) return problem;
    } else if (v.is_number()) {
        if (auto problem = check_number(v, where)) return problem;
    } else if (v.is_object()) {
        if (auto problem = check_object(v.get_object(), where)) return problem;
    } else if (v.is_array()) {
        if (auto problem = check_array(v.get_array(), where)) return problem;
    }
    return check_combinators(v, where);
}

std::optional<std::string> JsonSchema::Node::check_string(std::string_view s,
                                                          const std::string& where) const {
    const std::size_t length = (min_length || max_length) ? code_points(s) : 0;
    if (min_length && length < *min_length)
        return fmt::format("{}: must be at least {} characters long", where, *min_length);
    if (max_length && length > *max_length)
        return fmt::format("{}: must be at most {} characters long", where, *max_length);
    if (pattern && !std::regex_search(s.begin(), s.end(), *pattern))
        return fmt::format("{}: must match the pattern {}", where, pattern_text);
    if (date_time && !is_date_time(s))
        return fmt::format("{}: must be an RFC 3339 date-time (2026-12-05T19:00:00Z)", where);
    return std::nullopt;
}

std::optional<std::string> JsonSchema::Node::check_number(const boost::json::value& v,
                                                          const std::string& where) const {
    const double x = as_double(v);
    if (minimum && x < *minimum) return fmt::format("{}: must be at least {}", where, *minimum);
    if (maximum && x > *maximum) return fmt::format("{}: must be at most {}", where, *maximum);
    if (exclusive_minimum && x <= *exclusive_minimum)
        return fmt::format("{}: must be greater than {}", where, *exclusive_minimum);
    if (exclusive_maximum && x >= *exclusive_maximum)
        return fmt::format("{}: must be less than {}", where, *exclusive_maximum);
    return std::nullopt;
}

std::optional<std::string> JsonSchema::Node::check_object(const boost::json::object& o,
                                                          const std::string& where) const {
    for (const auto& name : required) {
        if (!o.contains(name)) return fmt::format("{}: is required", join_path(where, name));
    }
    if (min_properties && o.size() < *min_properties)
        return fmt::format("{}: must have at least {} members", where, *min_properties);
    if (max_properties && o.size() > *max_properties)
        return fmt::format("{}: must have at most {} members", where, *max_properties);
    for (const auto& [key, value] : o) {
        const Node* sub = nullptr;
        for (const auto& [name, schema] : properties) {
            if (name == std::string_view(key)) sub = &schema;
        }
        const std::string path = join_path(where, key);
        if (sub == nullptr) {
            if (!additional_allowed) return fmt::format("{}: is not a known field", path);
            sub = additional_schema.get();
        }
        if (sub != nullptr) {
            if (auto problem = sub->check(value, path)) return problem;
        }
    }
    return std::nullopt;
}

std::optional<std::string> JsonSchema::Node::check_array(const boost::json::array& a,
                                                         const std::string& where) const {
    if (min_items && a.size() < *min_items)
        return fmt::format("{}: must have at least {} items", where, *min_items);
    if (max_items && a.size() > *max_items)
        return fmt::format("{}: must have at most {} items", where, *max_items);
    if (items) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (auto problem = items->check(a[i], fmt::format("{}[{}]", where, i))) return problem;
        }
    }
    if (unique_items) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            for (std::size_t j = i + 1; j < a.size(); ++j) {
                if (a[i] == a[j]) return fmt::format("{}[{}]: repeats {}[{}]", where, j, where, i);
            }
        }
    }
    return std::nullopt;
}

std::optional<std::string> JsonSchema::Node::check_combinators(const boost::json::value& v,
                                                               const std::string& where) const {
    for (const auto& sub : all_of) {
        if (auto problem = sub.check(v, where)) return problem;
    }
    if (!any_of.empty()) {
        std::optional<std::string> first;
        for (const auto& sub : any_of) {
            auto problem = sub.check(v, where);
            if (!problem) return std::nullopt;
            if (!first) first = std::move(problem);
        }
        return first;
    }
    if (!one_of.empty()) {
        std::size_t matched = 0;
        std::optional<std::string> first;
        for (const auto& sub : one_of) {
            auto problem = sub.check(v, where);
            if (!problem) {
                ++matched;
            } else if (!first) {
                first = std::move(problem);
            }
        }
        if (matched == 1) return std::nullopt;
        if (matched > 1) return fmt::format("{}: matches more than one allowed form", where);
        return first;
    }
    return std::nullopt;
}

Result<JsonSchema> JsonSchema::compile(const boost::json::value& document) {
    auto root = compile_node(document, "");
    if (!root) return root.error();
    JsonSchema schema;
    schema.document_ = document;
    schema.root_ = std::make_shared<const Node>(std::move(*root));
    return schema;
}

std::optional<std::string> JsonSchema::validate(const boost::json::value& value,
                                                std::string_view root_name) const {
    return root_->check(value, std::string(root_name));
}

std::vector<std::string> JsonSchema::property_types(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [property, node] : root_->properties) {
        if (property != name) continue;
        for (std::string_view t :
             {"null", "boolean", "object", "array", "number", "integer", "string"}) {
            if ((node.types & *type_bit(t)) != 0) out.emplace_back(t);
        }
    }
    return out;
}

}  // namespace admit::runtime

// Validation helpers for JSON request bodies. Every failure is ADMIT_E_INVALID_ARGUMENT with a
// message that names the field, ready for Response::from_error (400 INVALID_REQUEST).
#pragma once

#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admit::sdk::fields {

namespace detail {
inline Error missing(std::string_view field) {
    return Error::invalid("field '" + std::string(field) + "' is required");
}
inline Error wrong_type(std::string_view field, std::string_view expected) {
    return Error::invalid("field '" + std::string(field) + "' must be " + std::string(expected));
}
inline const boost::json::value* find(const boost::json::object& object, std::string_view field) {
    const auto* value = object.if_contains(field);
    return (value == nullptr || value->is_null()) ? nullptr : value;
}
}  // namespace detail

/// A non-empty string field.
inline Result<std::string> required_string(const boost::json::object& object,
                                           std::string_view field) {
    const auto* value = detail::find(object, field);
    if (value == nullptr) return detail::missing(field);
    if (!value->is_string()) return detail::wrong_type(field, "a string");
    if (value->as_string().empty())
        return Error::invalid("field '" + std::string(field) + "' must not be empty");
    return std::string(value->as_string());
}

/// A string field that may be absent or null (nullopt); present but not a string is an error.
inline Result<std::optional<std::string>> optional_string(const boost::json::object& object,
                                                          std::string_view field) {
    const auto* value = detail::find(object, field);
    if (value == nullptr) return std::optional<std::string>{};
    if (!value->is_string()) return detail::wrong_type(field, "a string");
    return std::optional<std::string>(std::string(value->as_string()));
}

/// An integer field (JSON number without fraction) within [min, max].
inline Result<int64_t> required_int(const boost::json::object& object, std::string_view field,
                                    int64_t min = INT64_MIN, int64_t max = INT64_MAX) {
    const auto* value = detail::find(object, field);
    if (value == nullptr) return detail::missing(field);
    int64_t number = 0;
    if (value->is_int64()) {
        number = value->as_int64();
    } else if (value->is_uint64() && value->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
        number = static_cast<int64_t>(value->as_uint64());
    } else {
        return detail::wrong_type(field, "an integer");
    }
    if (number < min || number > max) {
        return Error::invalid("field '" + std::string(field) + "' must be between " +
                              std::to_string(min) + " and " + std::to_string(max));
    }
    return number;
}

/// An integer field that may be absent or null.
inline Result<std::optional<int64_t>> optional_int(const boost::json::object& object,
                                                   std::string_view field, int64_t min = INT64_MIN,
                                                   int64_t max = INT64_MAX) {
    if (detail::find(object, field) == nullptr) return std::optional<int64_t>{};
    auto number = required_int(object, field, min, max);
    if (!number) return std::move(number).error();
    return std::optional<int64_t>(*number);
}

/// A boolean field.
inline Result<bool> required_bool(const boost::json::object& object, std::string_view field) {
    const auto* value = detail::find(object, field);
    if (value == nullptr) return detail::missing(field);
    if (!value->is_bool()) return detail::wrong_type(field, "true or false");
    return value->as_bool();
}

/// A non-empty array of strings.
inline Result<std::vector<std::string>> required_string_array(const boost::json::object& object,
                                                              std::string_view field) {
    const auto* value = detail::find(object, field);
    if (value == nullptr) return detail::missing(field);
    if (!value->is_array() || value->as_array().empty())
        return detail::wrong_type(field, "a non-empty array of strings");
    std::vector<std::string> out;
    for (const auto& item : value->as_array()) {
        if (!item.is_string()) return detail::wrong_type(field, "a non-empty array of strings");
        out.emplace_back(item.as_string());
    }
    return out;
}

/// A nested object field.
inline Result<boost::json::object> required_object(const boost::json::object& object,
                                                   std::string_view field) {
    const auto* value = detail::find(object, field);
    if (value == nullptr) return detail::missing(field);
    if (!value->is_object()) return detail::wrong_type(field, "an object");
    return value->as_object();
}

}  // namespace admit::sdk::fields

namespace admit::sdk {

/// Parses JSON text; ADMIT_E_INVALID_ARGUMENT naming `what` when it is not valid JSON.
inline Result<boost::json::value> parse_json(std::string_view text,
                                             std::string_view what = "input") {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec) return Error::invalid(std::string(what) + " is not valid JSON: " + ec.message());
    return value;
}

}  // namespace admit::sdk

#include "host/pipeline/json_body.hpp"

namespace admit::runtime {

Result<boost::json::object> parse_json_object(const http::Request& request) {
    boost::system::error_code ec;
    auto value = boost::json::parse(request.body, ec);
    if (ec) return Error{ErrorCode::INVALID_REQUEST, "the body is not valid JSON: " + ec.message()};
    if (!value.is_object())
        return Error{ErrorCode::INVALID_REQUEST, "the body must be a JSON object"};
    return std::move(value.as_object());
}

Result<std::optional<double>> optional_number(const boost::json::object& body,
                                              std::string_view field) {
    const auto* v = body.if_contains(field);
    if (v == nullptr || v->is_null()) return std::optional<double>{};
    if (v->is_int64()) return std::optional<double>(static_cast<double>(v->as_int64()));
    if (v->is_uint64()) return std::optional<double>(static_cast<double>(v->as_uint64()));
    if (v->is_double()) return std::optional<double>(v->as_double());
    return Error{ErrorCode::INVALID_REQUEST, "field '" + std::string(field) + "' must be a number"};
}

Result<std::optional<std::string>> optional_string(const boost::json::object& body,
                                                   std::string_view field) {
    const auto* v = body.if_contains(field);
    if (v == nullptr || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string()) {
        return Error{ErrorCode::INVALID_REQUEST,
                     "field '" + std::string(field) + "' must be a string"};
    }
    return std::optional<std::string>(std::string(v->as_string()));
}

http::Response bad_request(const Error& error, std::string_view trace_id) {
    return http::Response::error(400, "INVALID_REQUEST", error.message, trace_id);
}

}  // namespace admit::runtime

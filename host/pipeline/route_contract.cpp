#include "host/pipeline/route_contract.hpp"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>
#include <boost/url/params_view.hpp>

namespace admit::runtime {

namespace {

Error contract_error(std::string_view problem) {
    return Error{ErrorCode::INVALID_ARGUMENT, fmt::format("contract: {}", problem)};
}

Result<std::optional<JsonSchema>> compile_member(const boost::json::object& contract,
                                                 std::string_view member) {
    const auto* doc = contract.if_contains(member);
    if (doc == nullptr) return std::optional<JsonSchema>{};
    auto schema = JsonSchema::compile(*doc);
    if (!schema) return contract_error(fmt::format("{}: {}", member, schema.error().message));
    return std::optional<JsonSchema>{std::move(*schema)};
}

Status read_response(const boost::json::object& contract, RouteContract& out) {
    const auto* response = contract.if_contains("response");
    if (response == nullptr) return {};
    if (!response->is_object()) return contract_error("response must be an object");
    for (const auto& [key, value] : response->get_object()) {
        const std::string_view name(key);
        if (name == "status") {
            // 3xx for a route whose answer is a redirect (only 2xx bodies are checked).
            if (!value.is_int64() || value.get_int64() < 200 || value.get_int64() > 399)
                return contract_error("response.status must be a 2xx or 3xx status");
            out.response_status = static_cast<int>(value.get_int64());
        } else if (name == "otherStatuses") {
            if (!value.is_array() || value.get_array().empty())
                return contract_error("response.otherStatuses must list 2xx statuses");
            for (const auto& s : value.get_array()) {
                if (!s.is_int64() || s.get_int64() < 200 || s.get_int64() > 299)
                    return contract_error("response.otherStatuses must list 2xx statuses");
                out.other_statuses.push_back(static_cast<int>(s.get_int64()));
            }
        } else if (name == "description") {
            if (!value.is_string()) return contract_error("response.description must be text");
            out.response_description = std::string(value.get_string());
        } else if (name == "mediaType") {
            if (!value.is_string() || value.get_string().empty())
                return contract_error("response.mediaType must be a media type");
            out.response_media_type = std::string(value.get_string());
        } else if (name == "schema") {
            auto schema = JsonSchema::compile(value);
            if (!schema)
                return contract_error(fmt::format("response.schema: {}", schema.error().message));
            out.response_schema = std::move(*schema);
        } else {
            return contract_error(fmt::format("response has an unknown member \"{}\"", name));
        }
    }
    return {};
}

Status read_errors(const boost::json::object& contract, RouteContract& out) {
    const auto* errors = contract.if_contains("errors");
    if (errors == nullptr) return {};
    if (!errors->is_object()) return contract_error("errors must be an object");
    for (const auto& [key, codes] : errors->get_object()) {
        int status = 0;
        const std::string_view text(key);
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), status);
        if (ec != std::errc{} || end != text.data() + text.size() || status < 400 || status > 599)
            return contract_error(fmt::format("errors: \"{}\" is not a 4xx or 5xx status", text));
        if (!codes.is_array() || codes.get_array().empty())
            return contract_error(fmt::format("errors.{} must list error codes", text));
        auto& list = out.errors[status];
        for (const auto& code : codes.get_array()) {
            if (!code.is_string() || code.get_string().empty())
                return contract_error(fmt::format("errors.{} must list error codes", text));
            list.emplace_back(code.get_string());
        }
    }
    return {};
}

// A query value read as the type its schema declares: integers and numbers as numbers, booleans
// as booleans, anything else as the string. A value that does not read as its type stays a
// string, so the schema check names the expected type.
boost::json::value typed_query_value(const std::string& text,
                                     const std::vector<std::string>& types) {
    auto declares = [&](std::string_view t) {
        for (const auto& d : types) {
            if (d == t) return true;
        }
        return false;
    };
    if (declares("integer")) {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec == std::errc{} && end == text.data() + text.size() && !text.empty()) return n;
    }
    if (declares("number") && !text.empty()) {
        char* end = nullptr;
        const double d = std::strtod(text.c_str(), &end);
        if (end == text.c_str() + text.size()) return d;
    }
    if (declares("boolean")) {
        if (text == "true") return true;
        if (text == "false") return false;
    }
    return boost::json::value(text);
}

}  // namespace

bool RouteContract::documents_status(int status) const {
    if (status == response_status) return true;
    for (int other : other_statuses) {
        if (other == status) return true;
    }
    return false;
}

bool valid_operation_id(std::string_view id) {
    if (id.empty() || id.size() > 100) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(id.front())) return false;
    for (char c : id) {
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '_') return false;
    }
    return true;
}

Result<RouteContract> parse_route_contract(std::string_view operation_id,
                                           std::string_view contract_text, bool allow_request) {
    RouteContract out;
    if (!operation_id.empty() && !valid_operation_id(operation_id))
        return contract_error(
            fmt::format("operationId \"{}\" must match [A-Za-z][A-Za-z0-9_]*", operation_id));
    out.operation_id = std::string(operation_id);
    if (contract_text.empty()) return out;

    boost::system::error_code ec;
    auto parsed = boost::json::parse(contract_text, ec);
    if (ec || !parsed.is_object())
        return contract_error(fmt::format("not a JSON object ({})", ec ? ec.message() : "type"));
    const auto& contract = parsed.get_object();
    for (const auto& [key, value] : contract) {
        const std::string_view name(key);
        if (name != "query" && name != "request" && name != "response" && name != "errors")
            return contract_error(fmt::format("unknown member \"{}\"", name));
        if (name == "request" && !allow_request)
            return contract_error("a stream has no request body");
    }
    auto query = compile_member(contract, "query");
    if (!query) return query.error();
    out.query = std::move(*query);
    if (out.query) {
        const auto& doc = out.query->document().as_object();
        const auto* type = doc.if_contains("type");
        if (type == nullptr || *type != "object" || !doc.contains("properties") ||
            !doc.at("properties").is_object())
            return contract_error("query must be an object schema with properties");
        for (const auto& [name, schema] : doc.at("properties").as_object()) {
            (void)schema;
            out.query_types.emplace(std::string(name), out.query->property_types(name));
        }
    }
    auto request = compile_member(contract, "request");
    if (!request) return request.error();
    out.request = std::move(*request);
    if (auto s = read_response(contract, out); !s) return s.error();
    if (auto s = read_errors(contract, out); !s) return s.error();
    return out;
}

std::optional<std::string> RouteContract::check_query(std::string_view raw_query) const {
    if (!query) return std::nullopt;
    boost::json::object values;
    try {
        boost::urls::params_view params(raw_query);  // decodes %XX and '+' as space
        for (const auto& param : params) {
            if (values.contains(param.key)) continue;  // the first occurrence counts
            const auto types = query_types.find(param.key);
            if (types == query_types.end()) continue;  // undeclared parameters are ignored
            values[param.key] = typed_query_value(param.value, types->second);
        }
    } catch (const std::exception&) {
        return std::string("query: not a valid query string");
    }
    if (auto problem = query->validate(values, "query")) {
        // "query.limit: must be ..." reads better as "query parameter limit: must be ...".
        if (problem->starts_with("query.")) problem->replace(0, 6, "query parameter ");
        return problem;
    }
    return std::nullopt;
}

std::optional<std::string> RouteContract::check_body(std::string_view body) const {
    if (!request) return std::nullopt;
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec) return fmt::format("body: not valid JSON ({})", ec.message());
    return request->validate(value, "body");
}

std::optional<std::string> RouteContract::check_response(std::string_view body) const {
    if (!response_schema) return std::nullopt;
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (ec) return fmt::format("response: not valid JSON ({})", ec.message());
    return response_schema->validate(value, "response");
}

}  // namespace admit::runtime

// OpenAPI 3.1 rendering of the route table: every route with its contract (operationId, query
// parameters, request body, success response, error codes per status) and its security.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "host/admin/builtin_routes.hpp"

namespace admit::runtime {

namespace {

// "GET /api/v1/schedules/{scheduleId}/seats" -> "getSchedulesScheduleIdSeats": a stable name for a
// route that registered no operationId.
std::string derived_operation_id(const RouteEntry& route) {
    std::string out;
    for (char c : route.method) out.push_back(static_cast<char>(std::tolower(c)));
    std::string_view path = route.path_template;
    if (path.starts_with("/api/v1")) path.remove_prefix(7);
    bool upper = true;
    for (char c : path) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            upper = true;
            continue;
        }
        out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
        upper = false;
    }
    return out;
}

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

boost::json::array path_parameters(const std::string& t) {
    boost::json::array parameters;
    for (std::size_t open = t.find('{'); open != std::string::npos; open = t.find('{', open + 1)) {
        auto close = t.find('}', open);
        if (close == std::string::npos) break;
        parameters.push_back(boost::json::object{{"name", t.substr(open + 1, close - open - 1)},
                                                 {"in", "path"},
                                                 {"required", true},
                                                 {"schema", {{"type", "string"}}}});
    }
    return parameters;
}

void add_query_parameters(const JsonSchema& query, boost::json::array& parameters) {
    const auto& doc = query.document().as_object();
    std::set<std::string, std::less<>> required;
    if (const auto* list = doc.if_contains("required"); list && list->is_array()) {
        for (const auto& name : list->get_array()) {
            if (name.is_string()) required.emplace(name.get_string());
        }
    }
    for (const auto& [name, schema] : doc.at("properties").as_object()) {
        boost::json::object parameter{{"name", std::string_view(name)},
                                      {"in", "query"},
                                      {"required", required.contains(std::string_view(name))},
                                      {"schema", schema}};
        if (const auto* description = schema.as_object().if_contains("description"))
            parameter["description"] = *description;
        parameters.push_back(std::move(parameter));
    }
}

boost::json::object error_response(std::string_view description) {
    boost::json::object schema{{"$ref", "#/components/schemas/Error"}};
    boost::json::object media{{"schema", std::move(schema)}};
    boost::json::object content{{"application/json", std::move(media)}};
    return {{"description", description}, {"content", std::move(content)}};
}

// The error statuses of a route: what its contract lists, plus what the host itself answers
// before the handler (400 for a contract, 401/403 for a protected route, 429, 503).
std::map<int, std::vector<std::string>> error_statuses(const RouteEntry& route) {
    std::map<int, std::vector<std::string>> out;
    if (route.contract) out = route.contract->errors;
    auto add = [&](int status, std::string_view code) {
        auto& codes = out[status];
        if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.emplace_back(code);
    };
    if (route.contract && (route.contract->query || route.contract->request))
        add(400, "INVALID_REQUEST");
    if (route.roles.kind != RoleRule::Kind::public_access) {
        add(401, "UNAUTHENTICATED");
        if (route.roles.kind == RoleRule::Kind::roles) add(403, "FORBIDDEN");
    }
    if (route.kind != RouteEntry::Kind::builtin) {
        add(429, "RATE_LIMITED");
        add(503, "OVERLOADED");
    }
    return out;
}

boost::json::object success_response(const RouteEntry& route, int& status) {
    status = route.contract ? route.contract->response_status : 200;
    if (route.kind == RouteEntry::Kind::stream) {
        return {{"description", route.contract && !route.contract->response_description.empty()
                                    ? route.contract->response_description
                                    : "server-sent events"},
                {"content", {{"text/event-stream", {{"schema", {{"type", "string"}}}}}}}};
    }
    boost::json::object response{
        {"description", route.contract && !route.contract->response_description.empty()
                            ? route.contract->response_description
                            : std::string(route.summary.empty() ? "success" : route.summary)}};
    if (route.contract && route.contract->response_schema) {
        boost::json::object media{{"schema", route.contract->response_schema->document()}};
        boost::json::object content;
        content[route.contract->response_media_type] = std::move(media);
        response["content"] = std::move(content);
    } else if (route.contract && route.contract->response_media_type != "application/json") {
        boost::json::object content;
        content[route.contract->response_media_type] = boost::json::object{};
        response["content"] = std::move(content);
    }
    return response;
}

boost::json::object operation(const RouteEntry& route) {
    const bool is_public = route.roles.kind == RoleRule::Kind::public_access;
    boost::json::object op{
        {"operationId", route.contract && !route.contract->operation_id.empty()
                            ? route.contract->operation_id
                            : derived_operation_id(route)},
        {"summary",
         route.summary.empty() ? route.method + " " + route.path_template : route.summary},
        {"description", fmt::format("Roles: {}. Rate category: {}.", route.roles.to_string(),
                                    route.rate_category)},
        {"tags", boost::json::array{route.plugin}},
        {"x-roles", route.roles.to_string()},
        {"x-rate-category", route.rate_category},
        // false: the route registered no contract (nothing validated, nothing documented)
        {"x-contract", static_cast<bool>(route.contract)}};
    auto parameters = path_parameters(route.path_template);
    if (route.contract && route.contract->query)
        add_query_parameters(*route.contract->query, parameters);
    if (!parameters.empty()) op["parameters"] = std::move(parameters);
    if (route.contract && route.contract->request) {
        op["requestBody"] = {
            {"required", true},
            {"content", {{"application/json", {{"schema", route.contract->request->document()}}}}}};
    }
    op["security"] =
        is_public ? boost::json::array{}
                  : boost::json::array{boost::json::object{{"bearer", boost::json::array{}}}};
    boost::json::object responses;
    int status = 200;
    auto success = success_response(route, status);
    if (route.contract) {
        for (int other : route.contract->other_statuses) responses[std::to_string(other)] = success;
    }
    responses[std::to_string(status)] = std::move(success);
    for (const auto& [error_status, codes] : error_statuses(route)) {
        std::string description = "Error codes: ";
        for (std::size_t i = 0; i < codes.size(); ++i)
            description += (i == 0 ? "" : ", ") + codes[i];
        auto response = error_response(description);
        boost::json::array list;
        for (const auto& c : codes) list.emplace_back(c);
        response["x-error-codes"] = std::move(list);
        responses[std::to_string(error_status)] = std::move(response);
    }
    op["responses"] = std::move(responses);
    return op;
}

boost::json::object components() {
    boost::json::object error_schema{
        {"type", "object"},
        {"required", boost::json::array{"code", "message", "traceId"}},
        {"properties",
         {{"code", {{"type", "string"}, {"description", "machine-readable, e.g. SEAT_TAKEN"}}},
          {"message", {{"type", "string"}, {"description", "for people; names the field"}}},
          {"traceId", {{"type", "string"}, {"description", "the request's trace id"}}}}}};
    return {{"schemas", {{"Error", std::move(error_schema)}}},
            {"securitySchemes",
             {{"bearer", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}}};
}

}  // namespace

std::string render_openapi(const RouteTable& routes, const std::string& title,
                           const std::string& version) {
    boost::json::object paths;
    std::set<std::string, std::less<>> tags;
    for (const auto& route : routes.entries()) {
        auto& path_item = paths[route->path_template];
        if (!path_item.is_object()) path_item = boost::json::object{};
        path_item.as_object()[lower(route->method)] = operation(*route);
        tags.insert(route->plugin);
    }
    boost::json::array tag_list;
    for (const auto& tag : tags) {
        tag_list.push_back(boost::json::object{
            {"name", tag},
            {"description", tag == "admitd" ? "the host's own routes"
                                            : fmt::format("routes of the {} plugin", tag)}});
    }
    boost::json::object doc{{"openapi", "3.1.0"},
                            {"info",
                             {{"title", title.empty() ? "Admit" : title},
                              {"version", version},
                              {"description",
                               "Admit ticketing platform: the routes of the plugins this host has "
                               "loaded. Errors are {code, message, traceId}; see /docs."}}},
                            {"servers", boost::json::array{boost::json::object{{"url", "/"}}}},
                            {"tags", std::move(tag_list)},
                            {"paths", std::move(paths)},
                            {"components", components()}};
    return boost::json::serialize(doc);
}

}  // namespace admit::runtime

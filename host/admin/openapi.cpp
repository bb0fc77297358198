// OpenAPI 3.1 rendering of the route table.
#include <boost/json.hpp>

#include "host/admin/builtin_routes.hpp"

namespace admit::runtime {

std::string render_openapi(const RouteTable& routes, const std::string& title,
                           const std::string& version) {
    boost::json::object paths;
    for (const auto& route : routes.entries()) {
        auto& path_item = paths[route->path_template];
        if (!path_item.is_object()) path_item = boost::json::object{};
        std::string method = route->method;
        for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

        boost::json::array parameters;
        auto& t = route->path_template;
        for (std::size_t open = t.find('{'); open != std::string::npos;
             open = t.find('{', open + 1)) {
            auto close = t.find('}', open);
            if (close == std::string::npos) break;
            parameters.push_back(boost::json::object{{"name", t.substr(open + 1, close - open - 1)},
                                                     {"in", "path"},
                                                     {"required", true},
                                                     {"schema", {{"type", "string"}}}});
        }
        boost::json::object op{{"summary", route->summary},
                               {"tags", boost::json::array{route->plugin}},
                               {"x-roles", route->roles.to_string()},
                               {"x-rate-category", route->rate_category}};
        if (!parameters.empty()) op["parameters"] = std::move(parameters);
        if (route->roles.kind != RoleRule::Kind::public_access) {
            op["security"] =
                boost::json::array{boost::json::object{{"bearer", boost::json::array{}}}};
        }
        boost::json::object responses;
        if (route->kind == RouteEntry::Kind::stream) {
            responses["200"] = {{"description", "server-sent events"},
                                {"content", {{"text/event-stream", boost::json::object{}}}}};
        } else {
            responses["default"] = {
                {"description", "JSON body; errors use {code, message, traceId}"}};
        }
        op["responses"] = std::move(responses);
        path_item.as_object()[method] = std::move(op);
    }
    boost::json::object doc{
        {"openapi", "3.1.0"},
        {"info", {{"title", title.empty() ? "Admit" : title}, {"version", version}}},
        {"paths", std::move(paths)},
        {"components",
         {{"securitySchemes",
           {{"bearer", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}}}}};
    return boost::json::serialize(doc);
}

}  // namespace admit::runtime

#include "host/admin/builtin_routes.hpp"

#include "admit/registration_rules.hpp"

#include <boost/json.hpp>

#include "host/abi/string_sink.hpp"
#include "host/admin/api_reference_page.hpp"
#include "host/admin/readiness_probe.hpp"
#include "host/observe/metrics_registry.hpp"
#include "host/pipeline/json_body.hpp"
#include "host/plugins/plugin_manager.hpp"
#include "host/runtime/host_clock.hpp"

namespace admit::runtime {

RouteEntry builtin_route(std::string method, std::string path, std::string roles,
                         std::string summary, BuiltinHandler handler, BuiltinContract contract) {
    RouteEntry e;
    e.kind = RouteEntry::Kind::builtin;
    e.plugin = "admitd";
    e.method = std::move(method);
    e.path_template = std::move(path);
    // Host routes are trusted code: the roles they name (the configured admin role) are declared
    // by construction.
    std::string ignored;
    RoleRule::parse(roles, rules::listed_roles(roles), e.roles, ignored);
    e.rate_category = "general";
    e.summary = std::move(summary);
    e.builtin = std::move(handler);
    if (!contract.operation_id.empty() || !contract.contract.empty()) {
        auto parsed = parse_route_contract(contract.operation_id, contract.contract, true);
        if (parsed) {
            e.contract = std::make_shared<const RouteContract>(std::move(*parsed));
        } else {
            e.contract_problem = parsed.error().message;
        }
    }
    return e;
}

namespace {

http::Response plugins_listing(const PluginManager& manager) {
    boost::json::array items;
    for (const auto& p : manager.plugins()) {
        const auto* d = p->library.descriptor;
        boost::json::array deps, caps;
        for (const auto& dep : p->library.dependencies()) deps.emplace_back(dep);
        for (const auto& cap : p->library.capabilities()) caps.emplace_back(cap);
        boost::json::object item{{"name", p->name},
                                 {"version", p->library.version()},
                                 {"abi", p->library.abi()},
                                 {"state", to_string(p->state.load())},
                                 {"file", p->library.path.string()},
                                 {"dependencies", std::move(deps)},
                                 {"capabilities", std::move(caps)}};
        if (!p->last_error.empty()) item["lastError"] = p->last_error;
        // health was optional before it existed: read it only when the descriptor covers it.
        if (ADMIT_HAS_FIELD(d, admit_plugin_descriptor, health) && d->health != nullptr &&
            p->state == PluginState::started) {
            std::string detail;
            StringSink sink(detail);
            item["healthy"] = d->health(p->instance, sink.get()) == ADMIT_OK;
            if (!detail.empty()) item["health"] = detail;
        }
        items.push_back(std::move(item));
    }
    boost::json::object body{
        {"items", std::move(items)},
        {"hostAbi", std::to_string(ADMIT_ABI_MAJOR) + "." + std::to_string(ADMIT_ABI_MINOR)}};
    return http::Response::json(200, boost::json::serialize(body));
}

// Constant-time comparison of the request's bearer token with `token`.
bool bearer_matches(const http::Request& request, const std::string& token) {
    auto header = request.header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (!header || header->size() != kBearer.size() + token.size() ||
        header->substr(0, kBearer.size()) != kBearer)
        return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < token.size(); ++i)
        difference |= static_cast<unsigned char>((*header)[kBearer.size() + i] ^ token[i]);
    return difference == 0;
}

}  // namespace

Status add_builtin_routes(RouteTable& routes, BuiltinContext ctx) {
    auto shared = std::make_shared<BuiltinContext>(std::move(ctx));
    std::vector<RouteEntry> entries;

    entries.push_back(builtin_route(
        "GET", "/healthz", "public", "Liveness",
        [](const BuiltinCall&) { return http::Response::json(200, R"({"status":"ok"})"); },
        {"getHealth", R"({"response": {"description": "the process is alive",
            "schema": {"type": "object", "required": ["status"],
                       "properties": {"status": {"const": "ok"}}}}})"}));

    auto probe = shared->readiness_probe ? shared->readiness_probe
                                         : std::make_shared<ReadinessProbe>(
                                               shared->readiness, shared->readiness_interval);
    entries.push_back(builtin_route(
        "GET", "/readyz", "public", "Readiness of dependencies and plugins",
        [probe](const BuiltinCall& call) {
            // Names and states only: the reasons are in the log (ReadinessProbe).
            auto checks = probe->current();
            boost::json::object detail;
            std::string failing;
            for (const auto& c : checks) {
                detail[c.name] = boost::json::object{{"ok", c.ok}};
                if (!c.ok) failing += (failing.empty() ? "" : ", ") + c.name;
            }
            if (failing.empty()) {
                return http::Response::json(200, boost::json::serialize(boost::json::object{
                                                     {"status", "ready"}, {"checks", detail}}));
            }
            auto r = http::Response::error(503, "DEPENDENCY_UNAVAILABLE", "not ready: " + failing,
                                           call.request.trace_id);
            auto body = boost::json::parse(r.body).as_object();
            body["checks"] = detail;
            r.body = boost::json::serialize(body);
            r.set_header("Retry-After", "1");
            return r;
        },
        {"getReadiness", R"({"response": {"description": "every dependency and plugin is ready",
            "schema": {"type": "object", "required": ["status", "checks"],
                       "properties": {"status": {"const": "ready"},
                                      "checks": {"type": "object", "additionalProperties":
                                                 {"type": "object", "properties":
                                                  {"ok": {"type": "boolean"}}}}}}},
            "errors": {"503": ["DEPENDENCY_UNAVAILABLE"]}})"}));

    entries.push_back(builtin_route(
        "GET", "/metrics", "public", "Prometheus metrics",
        [shared](const BuiltinCall& call) {
            if (!shared->metrics_token.empty() &&
                !bearer_matches(call.request, shared->metrics_token)) {
                auto refused = http::Response::error(401, "UNAUTHENTICATED",
                                                     "/metrics needs the metrics bearer token",
                                                     call.request.trace_id);
                refused.set_header("WWW-Authenticate", "Bearer");
                return refused;
            }
            http::Response r;
            r.content_type = "text/plain; version=0.0.4; charset=utf-8";
            r.body =
                shared->metrics != nullptr ? shared->metrics->render_prometheus() : std::string{};
            if (shared->extra_metrics) r.body += shared->extra_metrics();
            return r;
        },
        {"getMetrics", R"({"response": {"description": "Prometheus text exposition format",
                                     "mediaType": "text/plain"},
            "errors": {"401": ["UNAUTHENTICATED"]}})"}));

    entries.push_back(
        builtin_route("GET", "/api/v1/admin/plugins", shared->admin_role,
                      "Loaded plugins, versions, ABI and state",
                      [shared](const BuiltinCall&) { return plugins_listing(*shared->plugins); },
                      {"listPlugins", R"({"response": {"description": "the loaded plugins",
                          "schema": {"type": "object", "required": ["items"], "properties":
                            {"items": {"type": "array", "items": {"type": "object",
                              "required": ["name", "version", "abi", "state"], "properties": {
                                "name": {"type": "string"}, "version": {"type": "string"},
                                "abi": {"type": "string"}, "state": {"type": "string"},
                                "file": {"type": "string"},
                                "dependencies": {"type": "array", "items": {"type": "string"}},
                                "capabilities": {"type": "array", "items": {"type": "string"}},
                                "lastError": {"type": "string"},
                                "healthy": {"type": "boolean"},
                                "health": {"type": "string"}}}}}}}})"}));

    if (shared->clock != nullptr && shared->clock->manual()) {
        entries.push_back(builtin_route(
            "POST", "/api/v1/admin/clock", shared->admin_role,
            "Test only: advance the manual host clock",
            [shared](const BuiltinCall& call) {
                auto body = parse_json_object(call.request);
                if (!body) return bad_request(body.error(), call.request.trace_id);
                auto seconds = optional_number(body.value(), "advanceSeconds");
                if (!seconds) return bad_request(seconds.error(), call.request.trace_id);
                if (!seconds.value() || *seconds.value() < 0) {
                    return bad_request(Error{ErrorCode::INVALID_REQUEST,
                                             "field 'advanceSeconds' is required and must be >= 0"},
                                       call.request.trace_id);
                }
                shared->clock->advance_us(static_cast<int64_t>(*seconds.value() * 1e6));
                return http::Response::json(200, boost::json::serialize(boost::json::object{
                                                     {"nowUs", shared->clock->now_us()}}));
            },
            {"advanceClock", R"({"request": {"type": "object", "required": ["advanceSeconds"],
                "properties": {"advanceSeconds": {"type": "number", "minimum": 0}}},
              "response": {"description": "the clock after the step", "schema": {"type": "object",
                "properties": {"nowUs": {"type": "integer"}}}}})"}));
    }

    entries.push_back(
        builtin_route("GET", "/openapi.json", "public", "OpenAPI 3.1 of every route",
                      [shared, &routes](const BuiltinCall&) {
                          return http::Response::json(
                              200, render_openapi(routes, shared->venue_name, shared->version));
                      },
                      {"getOpenApi", R"({"response": {"description": "this document",
                          "schema": {"type": "object"}}})"}));

    entries.push_back(builtin_route(
        "GET", "/docs", "public", "HTML reference of every route (from /openapi.json)",
        [shared, &routes](const BuiltinCall&) {
            http::Response r;
            r.content_type = "text/html; charset=utf-8";
            r.body =
                render_api_reference(render_openapi(routes, shared->venue_name, shared->version));
            r.set_header("Content-Security-Policy", std::string(kApiReferenceCsp));
            return r;
        },
        {"getApiReference",
         R"({"response": {"description": "an HTML page", "mediaType": "text/html"}})"}));

    for (auto& e : entries) {
        if (auto s = routes.add(std::move(e)); !s) return s;
    }
    return {};
}

}  // namespace admit::runtime

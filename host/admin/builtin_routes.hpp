// The host's own routes: /healthz, /readyz, /metrics, /openapi.json and the admin API for plugins
// and the clock. Policy admin routes live in admin_policy_routes.hpp.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "host/pipeline/route_table.hpp"

namespace admit::observe {
class MetricsRegistry;
}

namespace admit::runtime {

class HostClock;
class PluginManager;

class ReadinessProbe;

// One dependency's state for /readyz.
struct ReadinessCheck {
    std::string name;  // "postgres", "redis", "events", "plugins"
    bool ok = false;
    std::string detail;
};

struct BuiltinContext {
    observe::MetricsRegistry* metrics = nullptr;
    const PluginManager* plugins = nullptr;
    HostClock* clock = nullptr;
    std::function<std::vector<ReadinessCheck>()> readiness;
    // /readyz runs the checks at most once per interval (0: on every call).
    std::chrono::milliseconds readiness_interval{1000};
    // When set, /readyz answers from this probe (which the owner may refresh in the background,
    // ReadinessProbe::start_refreshing) instead of one made from `readiness`.
    std::shared_ptr<ReadinessProbe> readiness_probe;
    // When not empty, /metrics answers only "Authorization: Bearer <metrics_token>".
    std::string metrics_token;
    // Extra Prometheus text appended to /metrics (event bus, policy counters).
    std::function<std::string()> extra_metrics;
    std::string venue_name;
    std::string version;
    std::string admin_role = "admin";  // [access] admin_role: who may call /api/v1/admin/*
};

Status add_builtin_routes(RouteTable& routes, BuiltinContext context);

// The contract of a host route, as a plugin gives it in admit_route_desc (ABI 1.2).
struct BuiltinContract {
    std::string_view operation_id;
    std::string_view contract;  // JSON text; empty: none
};

// A host route (plugin "admitd", rate category "general") that `roles` may call ("public",
// "admin", ... as in a plugin's route description). A contract that does not compile is kept as
// the entry's contract_problem, so RouteTable::add refuses it at startup.
RouteEntry builtin_route(std::string method, std::string path, std::string roles,
                         std::string summary, BuiltinHandler handler,
                         BuiltinContract contract = {});

// OpenAPI 3.1 document of every route in the table.
std::string render_openapi(const RouteTable& routes, const std::string& title,
                           const std::string& version);

}  // namespace admit::runtime

// Runtime: the live host as plugins see it through admit_host_api. It owns the tables that plugin
// registrations land in (routes, streams, services, the authenticator) and points at the host's
// services (pools, event bus, jobs, policies, metrics, SSE hub), which the Application owns.
//
// Thread-safety: the tables are written only while plugins initialize (one lifecycle thread,
// before the HTTP server accepts traffic) and read concurrently afterwards. Service pointers are
// set once before plugins initialize; a null pointer means the service is not configured (its ABI
// functions answer ADMIT_E_UNSUPPORTED).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "host/pipeline/route_table.hpp"
#include "host/plugins/registration_sink.hpp"
#include "host/plugins/service_registry.hpp"
#include "host/runtime/host_clock.hpp"

namespace admit::observe {
class MetricsRegistry;
}
namespace admit::http {
class StreamHub;
}
namespace admit::store {
class PgPool;
class RedisPool;
class ScriptRegistry;
}  // namespace admit::store
namespace admit::events {
class EventBus;
}
namespace admit::jobs {
class JobScheduler;
}
namespace admit::policy {
class PolicyEngine;
}
namespace admit::outbound {
class OutboundClient;
}

namespace admit::runtime {

struct RuntimeServices {
    observe::MetricsRegistry* metrics = nullptr;
    http::StreamHub* streams = nullptr;
    store::PgPool* pg = nullptr;
    store::RedisPool* redis = nullptr;
    store::ScriptRegistry* scripts = nullptr;
    events::EventBus* events = nullptr;
    jobs::JobScheduler* jobs = nullptr;
    policy::PolicyEngine* policies = nullptr;
    outbound::OutboundClient* outbound = nullptr;
};

// The venue's declared vocabulary ([access]): roles a principal may carry and routes may name, rate
// categories routes may name, and the role of the host's admin routes.
struct AccessRules {
    NameSet roles;
    NameSet rate_categories{"general"};
    std::string admin_role = "admin";
};

struct AuthenticatorEntry {
    std::string plugin;
    admit_authenticate_fn fn = nullptr;
    void* ctx = nullptr;
    std::shared_ptr<boost::dll::shared_library> keep_alive;
};

// A plugin's migrations, collected at commit and applied by the Application after init.
struct PluginMigrations {
    std::string plugin;
    std::vector<MigrationRegistration> migrations;
};

class Runtime final : public RegistrationSink {
  public:
    Runtime(RuntimeServices services, HostClock& clock, AccessRules access = {});
    const AccessRules& access() const { return access_; }

    const RuntimeServices& services() const { return services_; }
    void set_streams(http::StreamHub* hub) { services_.streams = hub; }
    HostClock& clock() { return clock_; }

    RouteTable& routes() { return routes_; }
    const RouteTable& routes() const { return routes_; }
    ServiceRegistry& service_registry() { return service_registry_; }
    const std::optional<AuthenticatorEntry>& authenticator() const { return authenticator_; }
    const std::vector<PluginMigrations>& migrations() const { return migrations_; }

    Status validate(const PluginRecord& plugin) override;
    Status commit(const PluginRecord& plugin) override;

  private:
    RuntimeServices services_;
    HostClock& clock_;
    AccessRules access_;
    RouteTable routes_;
    ServiceRegistry service_registry_;
    std::optional<AuthenticatorEntry> authenticator_;
    std::vector<PluginMigrations> migrations_;
};

// The host function table every plugin receives. Static, built once.
const admit_host_api& host_api_table();

}  // namespace admit::runtime

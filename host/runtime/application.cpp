#include "host/runtime/application.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "host/abi/runtime.hpp"
#include "host/abi/string_sink.hpp"
#include "host/admin/admin_policy_routes.hpp"
#include "host/admin/builtin_routes.hpp"
#include "host/admin/readiness_probe.hpp"
#include "host/events/event_bus.hpp"
#include "host/http/server.hpp"
#include "host/jobs/job_scheduler.hpp"
#include "host/observe/logging.hpp"
#include "host/observe/metrics_registry.hpp"
#include "host/outbound/outbound_client.hpp"
#include "host/pipeline/contract_guard.hpp"
#include "host/pipeline/dispatcher.hpp"
#include "host/pipeline/idempotency_guard.hpp"
#include "host/pipeline/rate_limit_guard.hpp"
#include "host/plugins/plugin_manager.hpp"
#include "host/policy/decision_log.hpp"
#include "host/policy/fleet_sync.hpp"
#include "host/policy/policy_engine.hpp"
#include "host/policy/revision_store.hpp"
#include "host/policy/staff_workflow.hpp"
#include "host/runtime/host_metrics.hpp"
#include "host/runtime/plugin_set_audit.hpp"
#include "host/runtime/startup_phases.hpp"
#include "host/store/migrations.hpp"
#include "host/store/pg_errors.hpp"
#include "host/store/pg_pool.hpp"
#include "host/store/redis_pool.hpp"
#include "host/store/redis_scripts.hpp"

namespace admit::runtime {

struct Application::Parts {
    std::shared_ptr<observe::MetricsRegistry> metrics =
        std::make_shared<observe::MetricsRegistry>();
    std::unique_ptr<HostClock> clock;
    std::unique_ptr<policy::PolicyEngine> policies;
    std::unique_ptr<store::PgPool> pg;
    std::unique_ptr<store::RedisPool> redis;
    std::unique_ptr<store::ScriptRegistry> scripts;
    std::unique_ptr<events::EventBus> events;
    std::unique_ptr<jobs::JobScheduler> jobs;
    // Declared after pg and events, so destroyed before them.
    std::unique_ptr<policy::RevisionStore> policy_revisions;  // with a database
    std::unique_ptr<policy::FleetSync> policy_fleet;          // with a database
    std::unique_ptr<policy::DecisionLog> policy_decisions;    // with a database
    std::unique_ptr<policy::StaffWorkflow> policy_workflow;
    std::unique_ptr<outbound::OutboundClient> outbound;
    std::unique_ptr<Runtime> runtime;
    std::unique_ptr<PluginManager> plugins;
    std::unique_ptr<Dispatcher> dispatcher;
    std::unique_ptr<http::Server> server;
    std::shared_ptr<ReadinessProbe> readiness;  // /readyz, refreshed in the background once serving
    bool events_started = false;
    bool jobs_started = false;
    bool stopped = false;
    StartupPhases startup;  // reported when the host serves
};

Application::Application(config::HostConfig config)
    : config_(std::move(config)), parts_(std::make_unique<Parts>()) {}

Application::~Application() { stop(); }

namespace {

std::vector<ReadinessCheck> readiness(Application::Parts& p);

/// Calls `ping` until it succeeds or `wait` has passed (at least once), pausing between tries:
/// a store that is restarting or recovering when admitd starts (a host reboot, a failover, a
/// fleet restarted together with its database) delays the start instead of failing it. A
/// failure `permanent` says waiting cannot mend (wrong credentials, no such database) ends the
/// wait at once. The failure names the store and the last error.
Status wait_until_reachable(const std::function<Status()>& ping,
                            const std::function<bool(const Error&)>& permanent,
                            std::chrono::milliseconds wait, const std::string& name) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    bool told = false;
    for (;;) {
        auto s = ping();
        if (s) {
            if (told) spdlog::info("{} is reachable; starting", name);
            return s;
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline || permanent(s.error()))
            return Error{s.error().code, name + ": " + s.error().message};
        if (!told) {
            spdlog::warn("{} is not reachable yet ({}); waiting up to {} ms for it", name,
                         s.error().message, wait.count());
            told = true;
        }
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            std::chrono::milliseconds(200), deadline - now));
    }
}

}  // namespace

Status Application::start_data_services() {
    auto& p = *parts_;
    p.clock = std::make_unique<HostClock>(config_.testing.manual_clock);
    auto* clock = p.clock.get();

    policy::PolicyOptions po;
    po.dir = config_.policies.dir;
    po.overrides = config_.policies.overrides;
    po.instruction_budget = config_.policies.instruction_budget;
    po.memory_limit_bytes = config_.policies.memory_limit_bytes;
    po.deadline = std::chrono::milliseconds(config_.policies.deadline_ms);
    po.retained_memory_bytes = config_.policies.retained_memory_bytes;
    po.clock = [clock] { return static_cast<double>(clock->now_us()) / 1e6; };
    p.policies = std::make_unique<policy::PolicyEngine>(std::move(po));
    if (auto s = p.policies->load_all(); !s) return s;
    p.startup.mark("policies");
    if (!config_.database.enabled) {
        // With a database the fleet serves the revisions stored there (see start_policy_fleet).
        if (auto s = p.policies->start_watching(); !s) {
            spdlog::warn("policy file watching is off: {}", s.error().message);
        }
    }

    if (config_.database.enabled) {
        store::PgOptions pg;
        pg.url = config_.database.url;
        pg.pool_size = config_.database.pool_size;
        pg.connect_timeout = std::chrono::milliseconds(config_.database.connect_timeout_ms);
        pg.statement_timeout = std::chrono::milliseconds(config_.database.statement_timeout_ms);
        p.pg = std::make_unique<store::PgPool>(std::move(pg));
        if (auto s = wait_until_reachable(
                [&] { return p.pg->ping(); },
                [](const Error& e) { return store::is_permanent_connect_failure(e.message); },
                std::chrono::milliseconds(config_.database.startup_wait_ms), "PostgreSQL");
            !s) {
            return s;
        }
        p.startup.mark("postgres");
        events::EventOptions eo;
        eo.backend = config_.events.backend == config::EventsBackend::kafka
                         ? events::Backend::kafka
                         : events::Backend::inproc;
        eo.relay_batch = config_.events.relay_batch;
        eo.relay_poll = std::chrono::milliseconds(config_.events.relay_poll_ms);
        eo.delivery_poll = std::chrono::milliseconds(config_.events.delivery_poll_ms);
        eo.background_nice = static_cast<int>(config_.events.background_nice);
        eo.max_attempts = config_.events.max_attempts;
        eo.backoff_initial = std::chrono::milliseconds(config_.events.backoff_initial_ms);
        eo.backoff_max = std::chrono::milliseconds(config_.events.backoff_max_ms);
        eo.kafka.brokers = config_.events.kafka.brokers;
        eo.kafka.topic_prefix = config_.events.kafka.topic_prefix;
        eo.kafka.properties = config_.events.kafka.properties;
        p.events = std::make_unique<events::EventBus>(std::move(eo), *p.pg,
                                                      [clock] { return clock->now(); });
        if (auto s = p.events->migrate(); !s) return s;
        jobs::JobOptions jo;
        jo.poll_interval = std::chrono::milliseconds(config_.jobs.poll_ms);
        p.jobs = std::make_unique<jobs::JobScheduler>(*p.pg, jo, [clock] { return clock->now(); });
        if (auto s = p.jobs->migrate(); !s) return s;
        p.startup.mark("event and job tables");
        if (auto s = start_policy_fleet(); !s) return s;
        p.startup.mark("policy fleet");
    }
    p.policy_workflow = std::make_unique<policy::StaffWorkflow>(
        *p.policies, p.policy_revisions.get(), p.policy_fleet.get(),
        config_.policies.require_approval);

    if (auto s = start_outbound(); !s) return s;
    p.startup.mark("outbound");

    if (config_.redis.enabled) {
        store::RedisOptions ro;
        ro.credentials.user = config_.redis.user;
        ro.credentials.password = config_.redis.password.value_or("");
        ro.host = config_.redis.host;
        ro.port = config_.redis.port;
        ro.pool_size = config_.redis.pool_size;
        ro.command_timeout = std::chrono::milliseconds(config_.redis.timeout_ms);
        p.redis = std::make_unique<store::RedisPool>(std::move(ro));
        if (auto s = wait_until_reachable(
                [&] { return p.redis->ping(); },
                [](const Error& e) { return store::is_permanent_redis_failure(e); },
                std::chrono::milliseconds(config_.redis.startup_wait_ms), "Redis");
            !s)
            return s;
        p.scripts = std::make_unique<store::ScriptRegistry>(*p.redis);
        p.startup.mark("redis");
    }
    return {};
}

Status Application::start_policy_fleet() {
    auto& p = *parts_;
    p.policy_revisions = std::make_unique<policy::RevisionStore>(*p.pg, p.events.get());
    if (auto s = p.policy_revisions->migrate(); !s) return s;
    policy::FleetSyncOptions fo;
    fo.pg_url = config_.database.url;
    fo.host_id = policy::FleetSync::default_host_id();
    fo.poll = std::chrono::milliseconds(config_.policies.sync_poll_ms);
    p.policy_fleet =
        std::make_unique<policy::FleetSync>(*p.policies, *p.policy_revisions, std::move(fo));
    if (auto s = p.policy_fleet->seed(); !s) {
        return Error{s.error().code, "policy revisions: " + s.error().message};
    }
    policy::DecisionLogOptions lo;
    lo.host_id = p.policy_fleet->host_id();
    lo.retention = std::chrono::hours(24 * config_.policies.decision_retention_days);
    lo.sample_per_second = config_.policies.decision_sample_per_second;
    p.policy_decisions = std::make_unique<policy::DecisionLog>(*p.pg, std::move(lo));
    if (auto s = p.policy_decisions->start(); !s) return s;
    p.policies->set_decision_sink(p.policy_decisions.get());
    return p.policy_fleet->start();
}

Status Application::start_outbound() {
    auto& p = *parts_;
    const auto& c = config_.outbound;
    using std::chrono::milliseconds;
    outbound::OutboundOptions o;
    o.connect_timeout = milliseconds(c.connect_timeout_ms);
    o.read_timeout = milliseconds(c.read_timeout_ms);
    o.max_timeout = milliseconds(c.max_timeout_ms);
    o.max_attempts = c.max_attempts;
    o.retry_backoff = milliseconds(c.retry_backoff_ms);
    o.max_idle_per_upstream = c.max_idle_per_upstream;
    o.idle_keepalive = milliseconds(c.idle_keepalive_ms);
    o.max_response_bytes = c.max_response_bytes;
    o.verify_tls = c.verify_tls;
    o.ca_file = c.ca_file;
    o.breaker.window = c.breaker_window;
    o.breaker.failure_percent = c.breaker_failure_percent;
    o.breaker.slow_percent = c.breaker_slow_percent;
    o.breaker.slow_call = milliseconds(c.breaker_slow_call_ms);
    o.breaker.open_for = milliseconds(c.breaker_open_ms);
    o.breaker.half_open_calls = c.breaker_half_open_calls;
    auto client = outbound::OutboundClient::create(std::move(o), p.metrics.get());
    if (!client) return client.error();
    p.outbound = std::move(client.value());
    return {};
}

Status Application::start_plugins() {
    auto& p = *parts_;
    RuntimeServices services;
    services.metrics = p.metrics.get();
    services.pg = p.pg.get();
    services.redis = p.redis.get();
    services.scripts = p.scripts.get();
    services.events = p.events.get();
    services.jobs = p.jobs.get();
    services.policies = p.policies.get();
    services.outbound = p.outbound.get();
    AccessRules access;
    access.roles.insert(config_.access.roles.begin(), config_.access.roles.end());
    access.roles.insert(config_.policies.editor_role);  // declared by [policies] editor_role
    access.rate_categories.insert(config_.access.rate_categories.begin(),
                                  config_.access.rate_categories.end());
    access.admin_role = config_.access.admin_role;
    p.runtime = std::make_unique<Runtime>(services, *p.clock, std::move(access));
    p.plugins = std::make_unique<PluginManager>(*p.runtime, host_api_table(), *p.runtime);

    BuiltinContext ctx;
    ctx.metrics = p.metrics.get();
    ctx.plugins = p.plugins.get();
    ctx.clock = p.clock.get();
    ctx.venue_name = config_.venue.name;
    ctx.version = ADMIT_VERSION;
    ctx.admin_role = config_.access.admin_role;
    Parts* parts = &p;
    ctx.readiness = [parts] { return readiness(*parts); };
    p.readiness = std::make_shared<ReadinessProbe>(ctx.readiness, ctx.readiness_interval);
    ctx.readiness_probe = p.readiness;
    // A secret, so only from the environment: with it set, scrapers must present it.
    if (const char* token = std::getenv("ADMIT_METRICS_TOKEN"); token != nullptr)
        ctx.metrics_token = token;
    ctx.extra_metrics = [parts] {
        return render_host_metrics(parts->events.get(), parts->policies.get());
    };
    if (auto s = add_builtin_routes(p.runtime->routes(), std::move(ctx)); !s) return s;
    PolicyAdminContext policy_admin;
    policy_admin.engine = p.policies.get();
    policy_admin.workflow = p.policy_workflow.get();
    policy_admin.revisions = p.policy_revisions.get();
    policy_admin.fleet = p.policy_fleet.get();
    policy_admin.decisions = p.policy_decisions.get();
    policy_admin.admin_role = config_.access.admin_role;
    policy_admin.editor_role = config_.policies.editor_role;
    if (auto s = add_admin_policy_routes(p.runtime->routes(), std::move(policy_admin)); !s)
        return s;

    PluginLoadRequest request{config_.plugins.dir, config_.plugins.load,
                              config_.plugin_sections_json, config_.plugins.required_providers};
    if (auto s = p.plugins->load(request); !s) return s;
    p.startup.mark("plugins loaded");

    // The stream hub must exist before plugins initialize (they may publish from start()).
    http::ServerOptions so;
    so.address = config_.server.address;
    so.port = config_.server.port;
    so.io_threads = config_.server.io_threads;
    so.workers = config_.server.workers;
    so.queue_limit = config_.server.queue_limit;
    so.body_limit_bytes = config_.server.body_limit_bytes;
    so.header_limit_bytes = config_.server.header_limit_bytes;
    so.target_limit_bytes = config_.server.target_limit_bytes;
    so.request_timeout = std::chrono::milliseconds(config_.server.request_timeout_ms);
    so.idle_timeout = std::chrono::milliseconds(config_.server.idle_timeout_ms);
    so.retry_after_seconds = config_.server.retry_after_seconds;
    so.max_connections = config_.server.max_connections;
    so.max_connections_per_ip = config_.server.max_connections_per_ip;
    so.max_streams_per_ip = config_.server.max_streams_per_ip;
    so.sse_heartbeat = std::chrono::milliseconds(config_.server.stream_heartbeat_ms);
    so.stream_write_timeout = std::chrono::milliseconds(config_.server.stream_write_timeout_ms);
    so.stream_max_lifetime = std::chrono::seconds(config_.server.stream_max_lifetime_s);
    std::vector<http::Cidr> proxies;
    for (const auto& cidr : config_.server.trusted_proxies) {
        if (auto parsed = http::parse_cidr(cidr)) proxies.push_back(*parsed);
    }
    so.trusted_proxies = http::TrustedProxies(std::move(proxies));
    so.metrics = p.metrics;
    // Liveness and readiness are answered from memory (the probe refreshes in the background), so
    // they run on the I/O thread: never behind the worker queue. Credentials would send the
    // request through the authenticator, which may wait on stores: those go to the pool.
    so.inline_request = [](const http::Request& r) {
        return r.method == "GET" && (r.path == "/healthz" || r.path == "/readyz") &&
               !r.header("authorization") && !r.header("cookie");
    };
    p.dispatcher = std::make_unique<Dispatcher>(*p.runtime);
    const auto& cors = config_.server.cors;
    p.dispatcher->set_cors(CorsPolicy(CorsRules{cors.allowed_origins, cors.allowed_headers,
                                                cors.exposed_headers, cors.max_age_seconds}));
    const auto& cookies = config_.server.session_cookies;
    p.dispatcher->set_cookie_credentials(CookieCredentials(
        CookieRules{cookies.access_token, cookies.guarded, cookies.trusted_origins}));
    // Rate limits first (they protect everything after them), then the route's contract, then
    // idempotency (which must not store a 400 the contract would give again anyway).
    if (p.redis) {
        p.dispatcher->add_guard(
            std::make_shared<RateLimitGuard>(*p.scripts, *p.policies, *p.clock, p.metrics.get()));
    }
    p.dispatcher->add_guard(std::make_shared<ContractGuard>(config_.testing.check_responses));
    if (p.redis) p.dispatcher->add_guard(std::make_shared<IdempotencyGuard>(*p.redis));
    auto* dispatcher = p.dispatcher.get();
    p.server = std::make_unique<http::Server>(
        so, [dispatcher](http::Request& r) { return dispatcher->handle(r); });
    p.runtime->set_streams(&p.server->streams());

    if (auto s = p.plugins->init_all(); !s) return s;
    p.startup.mark("plugins initialized");
    for (const auto& m : p.runtime->migrations()) {
        std::vector<store::Migration> list;
        for (const auto& r : m.migrations) list.push_back({r.version, r.name, r.sql});
        if (auto s = store::apply_migrations(*p.pg, m.plugin, m.plugin, list); !s) {
            return Error{s.error().code, fmt::format("plugin {}: migration failed: {}", m.plugin,
                                                     s.error().message)};
        }
    }
    // Every plugin starts before anything calls into it: event handlers and jobs run only after
    // the last start() returned (a subscriber with deliveries waiting from before a crash was
    // called while its plugin was still loading its keys: the ticket plugin crashed on every
    // restart of a fleet killed with a backlog).
    p.startup.mark("plugin migrations");
    if (auto s = p.plugins->start_all(); !s) return s;
    p.startup.mark("plugins started");
    if (p.events) {
        if (auto s = p.events->start(); !s) return s;
        p.events_started = true;
        audit_plugin_set();
    }
    p.startup.mark("events");
    if (p.jobs) {
        if (auto s = p.jobs->start(); !s) return s;
        p.jobs_started = true;
    }
    p.startup.mark("jobs");
    return {};
}

void Application::audit_plugin_set() {
    auto& p = *parts_;
    std::vector<LoadedPlugin> loaded;
    for (const auto& plugin : p.plugins->plugins())
        loaded.push_back({plugin->name, plugin->library.version(), plugin->library.abi()});
    const std::string host = p.policy_fleet ? p.policy_fleet->host_id() : std::string("admitd");
    Result<bool> published = false;
    if (auto migrated = migrate_plugin_set(*p.pg); !migrated)
        published = migrated.error();
    else
        published = record_plugin_set(*p.pg, *p.events, host, std::move(loaded));
    if (!published)
        spdlog::warn("plugin set not recorded (no host.plugins_changed event): {}",
                     published.error().message);
    else if (*published)
        spdlog::info("plugin set changed since the last start: host.plugins_changed published");
}

Status Application::start_http() {
    auto& p = *parts_;
    p.readiness->start_refreshing();
    if (auto s = p.server->start(); !s) return s;
    p.dispatcher->open_traffic();
    p.startup.mark("http");
    spdlog::info("admitd {} serving venue '{}' on http://{}:{}, {} ms after the start ({})",
                 ADMIT_VERSION, config_.venue.id, config_.server.address, p.server->port(),
                 p.startup.total_ms(), p.startup.summary());
    return {};
}

Status Application::start() {
    if (auto s = observe::configure_logging(config::to_string(config_.log.level),
                                            config::to_string(config_.log.format));
        !s) {
        return s;
    }
    Status result = start_data_services();
    if (result) result = start_plugins();
    if (result) result = start_http();
    if (!result) stop();
    return result;
}

void Application::stop() {
    auto& p = *parts_;
    if (p.stopped) return;
    p.stopped = true;
    // Order matters: nothing may call into a plugin after its stop. First no new requests and the
    // in-flight ones finish; then jobs and event delivery stop (their threads are joined); only
    // then are plugins stopped, in reverse dependency order, and destroyed.
    if (p.dispatcher) p.dispatcher->close_traffic();
    if (p.server) p.server->stop(std::chrono::milliseconds(config_.server.shutdown_grace_ms));
    if (p.readiness) p.readiness->stop_refreshing();  // its checks use the pools stopped below
    if (p.jobs && p.jobs_started) p.jobs->stop();
    if (p.policy_fleet) p.policy_fleet->stop();
    if (p.policies) p.policies->set_decision_sink(nullptr);
    if (p.policy_decisions) p.policy_decisions->stop();
    if (p.events && p.events_started) p.events->stop();
    if (p.plugins) p.plugins->stop_all();
    if (p.plugins) p.plugins->destroy_all();
    if (p.policies) p.policies->stop_watching();
    spdlog::info("admitd stopped");
}

void Application::reload_policies() {
    if (!parts_->policies) return;
    parts_->policies->reload_all("sighup");
    // With a database, a changed file becomes a new revision for the fleet; the others go back
    // to the fleet's live revisions.
    if (parts_->policy_fleet) {
        if (auto s = parts_->policy_fleet->seed(); !s) {
            spdlog::warn("policy revisions after SIGHUP: {}", s.error().message);
        }
    }
}

uint16_t Application::port() const { return parts_->server ? parts_->server->port() : 0; }

Result<std::string> Application::call_once(const std::string& method, const std::string& input) {
    Status result = start_data_services();
    if (result) result = start_plugins();
    if (!result) {
        stop();
        return result.error();
    }
    std::string output, error;
    StringSink out(output), err(error);
    auto entry = parts_->runtime->service_registry().find(method);
    admit_status st = ADMIT_E_NOT_FOUND;
    if (entry.fn != nullptr) {
        // The operator at the console acts with the configured admin role.
        const admit_str admin_role = to_abi(config_.access.admin_role);
        admit_principal host_caller{};
        host_caller.size = sizeof(admit_principal);
        host_caller.subject = to_abi("admitd");
        host_caller.roles = &admin_role;
        host_caller.role_count = 1;
        st = entry.fn(entry.ctx, &host_caller, to_abi(input), out.get(), err.get());
    } else {
        error = "no plugin offers the service method '" + method + "'";
    }
    stop();
    if (st != ADMIT_OK) return Error{ErrorCode::CALL_FAILED, error.empty() ? "call failed" : error};
    return output;
}

namespace {

std::vector<ReadinessCheck> readiness(Application::Parts& p) {
    std::vector<ReadinessCheck> checks;
    bool started = p.plugins && p.plugins->all_started();
    checks.push_back({"plugins", started || (p.plugins && p.plugins->plugins().empty()),
                      started ? "all started" : "not all plugins are started"});
    if (p.pg) {
        auto s = p.pg->ping();
        checks.push_back({"postgres", s.ok(), s.ok() ? "reachable" : s.error().message});
    }
    if (p.redis) {
        auto s = p.redis->ping();
        checks.push_back({"redis", s.ok(), s.ok() ? "reachable" : s.error().message});
    }
    if (p.events) {
        const std::string problem = p.events->health_problem();
        const char* relaying =
            p.events->relay_listening() ? "relay running" : "relay polling (LISTEN reconnecting)";
        checks.push_back({"events", problem.empty(), problem.empty() ? relaying : problem});
    }
    return checks;
}

}  // namespace

}  // namespace admit::runtime

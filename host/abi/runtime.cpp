#include "host/abi/runtime.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "host/abi/abi_handles.hpp"
#include "host/abi/api_support.hpp"
#include "host/events/event_bus.hpp"
#include "host/jobs/job_scheduler.hpp"
#include "host/store/redis_scripts.hpp"

namespace admit::runtime {

Runtime::Runtime(RuntimeServices services, HostClock& clock, AccessRules access)
    : services_(services), clock_(clock), access_(std::move(access)) {}

Status Runtime::validate(const PluginRecord& plugin) {
    const auto& r = plugin.staged;
    std::vector<std::pair<std::string, std::string>> routes;
    for (const auto& route : r.routes) routes.emplace_back(route.method, route.path);
    for (const auto& stream : r.streams) routes.emplace_back("GET", stream.path);
    if (auto s = routes_.can_add_all(routes); !s) return s;
    std::vector<std::string> operation_ids;
    for (const auto& route : r.routes)
        operation_ids.push_back(route.contract ? route.contract->operation_id : "");
    for (const auto& stream : r.streams)
        operation_ids.push_back(stream.contract ? stream.contract->operation_id : "");
    if (auto s = routes_.can_add_operation_ids(operation_ids); !s) return s;

    for (const auto& s : r.services) {
        if (service_registry_.contains(s.method)) {
            return Error{ErrorCode::SERVICE_DUPLICATE,
                         fmt::format("service method '{}' is already offered", s.method)};
        }
    }
    if (r.authenticators.size() > 1 || (!r.authenticators.empty() && authenticator_)) {
        return Error{ErrorCode::AUTHENTICATOR_DUPLICATE,
                     fmt::format("only one authenticator may be registered (already: {})",
                                 authenticator_ ? authenticator_->plugin : plugin.name)};
    }
    auto needs = [&](bool present, bool used, std::string_view what) -> Status {
        if (used && !present) {
            return Error{ErrorCode::SERVICE_NOT_CONFIGURED,
                         fmt::format("plugin {} uses {}, which this host has not configured",
                                     plugin.name, what)};
        }
        return {};
    };
    if (auto s = needs(services_.pg != nullptr, !r.migrations.empty(), "PostgreSQL"); !s) return s;
    if (auto s = needs(services_.scripts != nullptr, !r.scripts.empty(), "Redis"); !s) return s;
    if (auto s = needs(services_.events != nullptr, !r.subscriptions.empty(), "events"); !s)
        return s;
    if (auto s = needs(services_.jobs != nullptr, !r.jobs.empty(), "jobs"); !s) return s;
    // Subscriptions and jobs are checked here, before anything of the plugin is published, so that
    // a refusal fails its init (naming plugin and reason) instead of leaving it running without
    // them.
    for (const auto& sub : r.subscriptions) {
        if (auto s = services_.events->check_subscription(sub.topic, sub.subscriber); !s) {
            return Error{s.error().code, fmt::format("subscription {} to '{}': {}", sub.subscriber,
                                                     sub.topic, s.error().message)};
        }
    }
    for (const auto& job : r.jobs) {
        if (auto s = services_.jobs->check_registration(job.name, job.interval_ms > 0); !s) {
            return Error{s.error().code, fmt::format("job {}: {}", job.name, s.error().message)};
        }
    }
    // Scripts are compiled by Redis here, so a broken script fails the plugin's init. Registering
    // the same name and source again is a no-op, so this is safe to do before commit.
    for (const auto& script : r.scripts) {
        if (auto s = services_.scripts->register_script(script.name, script.source); !s) {
            return Error{s.error().code,
                         fmt::format("Redis script {}: {}", script.name, s.error().message)};
        }
    }
    return {};
}

Status Runtime::commit(const PluginRecord& plugin) {
    const auto& r = plugin.staged;
    const auto& keep_alive = plugin.library.library;
    for (const auto& route : r.routes) {
        RouteEntry e;
        e.kind = RouteEntry::Kind::plugin;
        e.plugin = plugin.name;
        e.method = route.method;
        e.path_template = route.path;
        e.roles = route.roles;
        e.rate_category = route.rate_category;
        e.summary = route.summary;
        e.own_idempotency = route.own_idempotency;
        e.contract = route.contract;
        e.handler = route.handler;
        e.ctx = route.ctx;
        e.keep_alive = keep_alive;
        (void)routes_.add(std::move(e));  // validated
    }
    for (const auto& stream : r.streams) {
        RouteEntry e;
        e.kind = RouteEntry::Kind::stream;
        e.plugin = plugin.name;
        e.method = "GET";
        e.path_template = stream.path;
        e.roles = stream.roles;
        e.rate_category = "general";
        e.summary = stream.summary;
        e.topic_template = stream.topic_template;
        e.contract = stream.contract;
        e.on_open = stream.on_open;
        e.on_close = stream.on_close;
        e.ctx = stream.ctx;
        e.keep_alive = keep_alive;
        (void)routes_.add(std::move(e));
    }
    for (const auto& s : r.services) {
        service_registry_.add(s.method, ServiceEntry{plugin.name, s.fn, s.ctx, keep_alive});
    }
    for (const auto& a : r.authenticators) {
        authenticator_ = AuthenticatorEntry{plugin.name, a.fn, a.ctx, keep_alive};
    }
    if (!r.migrations.empty()) migrations_.push_back({plugin.name, r.migrations});
    admit_host* host = const_cast<admit_host*>(&plugin.handle);
    for (const auto& sub : r.subscriptions) {
        auto fn = sub.handler;
        auto ctx = sub.ctx;
        auto status = services_.events->subscribe(events::Subscription{
            sub.topic, sub.subscriber,
            [host, fn, ctx, keep_alive](pqxx::work& work, const events::Event& ev,
                                        store::CommitHooks& hooks) -> Status {
                admit_tx tx{&work, host, nullptr, &hooks, nullptr};
                auto id = std::to_string(ev.id);
                admit_event event{sizeof(admit_event), to_abi(id),         to_abi(ev.topic),
                                  to_abi(ev.key),      to_abi(ev.payload), ev.published_at_us,
                                  ev.attempt};
                std::string message;
                StringSink error(message);
                admit_status st = fn(ctx, &tx, &event, error.get());
                if (st != ADMIT_OK) {
                    return Error{
                        ErrorCode::HANDLER_FAILED,
                        message.empty() ? fmt::format("handler returned status {}", st) : message};
                }
                return {};
            },
            sub.interactive});
        if (!status) {
            return Error{status.error().code, fmt::format("subscription {}: {}", sub.subscriber,
                                                          status.error().message)};
        }
    }
    for (const auto& job : r.jobs) {
        auto fn = job.run;
        auto ctx = job.ctx;
        auto run = [fn, ctx, keep_alive](std::string_view payload) -> Status {
            std::string message;
            StringSink error(message);
            admit_status st = fn(ctx, to_abi(payload), error.get());
            if (st != ADMIT_OK) {
                return Error{ErrorCode::JOB_FAILED,
                             message.empty() ? fmt::format("job returned status {}", st) : message};
            }
            return {};
        };
        auto registered = job.interval_ms > 0
                              ? services_.jobs->register_periodic(
                                    job.name, std::chrono::milliseconds(job.interval_ms), run)
                              : services_.jobs->register_handler(job.name, run);
        if (!registered) {
            return Error{registered.error().code,
                         fmt::format("job {}: {}", job.name, registered.error().message)};
        }
    }
    return {};
}

const admit_host_api& host_api_table() {
    static const admit_host_api table = [] {
        admit_host_api api{};
        api.size = sizeof(admit_host_api);
        api.abi_major = ADMIT_ABI_MAJOR;
        api.abi_minor = ADMIT_ABI_MINOR;
        api::fill_core(api);
        api::fill_http(api);
        api::fill_data(api);
        api::fill_events(api);
        api::fill_outbound(api);
        return api;
    }();
    return table;
}

}  // namespace admit::runtime

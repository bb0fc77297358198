// admit_host_api: config, logging, clock, service calls, policies, metrics.
#include <span>

#include <spdlog/spdlog.h>

#include "admit/registration_rules.hpp"
#include "host/abi/abi_barrier.hpp"
#include "host/abi/abi_handles.hpp"
#include "host/abi/api_support.hpp"
#include "host/observe/metric_labels.hpp"
#include "host/observe/metrics_registry.hpp"
#include "host/policy/abi_policy_eval.hpp"

namespace admit::runtime::api {
namespace {

void config_json(admit_host* host, admit_sink* out) { write_to(out, plugin_of(host).config_json); }

void log(admit_host* host, int32_t level, admit_str message) {
    auto spd = spdlog::level::info;
    switch (level) {
        case ADMIT_LOG_TRACE:
            spd = spdlog::level::trace;
            break;
        case ADMIT_LOG_DEBUG:
            spd = spdlog::level::debug;
            break;
        case ADMIT_LOG_INFO:
            spd = spdlog::level::info;
            break;
        case ADMIT_LOG_WARN:
            spd = spdlog::level::warn;
            break;
        case ADMIT_LOG_ERROR:
            spd = spdlog::level::err;
            break;
    }
    spdlog::log(spd, "[{}] {}", plugin_of(host).name, view(message));
}

int64_t now_us(admit_host* host) { return runtime_of(host).clock().now_us(); }

admit_status service_register(admit_host* host, const admit_service_desc* desc, admit_sink* error) {
    if (!check_registering(host, error, "service_register")) return ADMIT_E_STATE;
    if (desc == nullptr || !ADMIT_HAS_FIELD(desc, admit_service_desc, ctx)) {
        write_to(error, "service_register needs a service descriptor");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto& plugin = plugin_of(host);
    std::string name(view(desc->method));
    admit_service_fn fn = desc->fn;
    void* ctx = desc->ctx;
    if (auto problem = rules::service_method_problem(plugin.name, name)) {
        write_to(error, *problem);
        return ADMIT_E_INVALID_ARGUMENT;
    }
    if (fn == nullptr) {
        write_to(error, fmt::format("service method '{}' has no function", name));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    if (registered_twice(
            plugin.staged.services, name, [](const auto& s) { return s.method; }, "service method",
            error)) {
        return ADMIT_E_CONFLICT;
    }
    plugin.staged.services.push_back({std::move(name), fn, ctx});
    return ADMIT_OK;
}

admit_status service_call(admit_host* host, admit_str method, const admit_principal* caller,
                          admit_str input, admit_sink* output, admit_sink* error) {
    auto entry = runtime_of(host).service_registry().find(view(method));
    if (entry.fn == nullptr) {
        // Fails closed: the provider is not loaded in this instance, which says nothing about the
        // object asked for, so it must never read as "not found".
        write_to(error,
                 fmt::format("no loaded plugin offers the service method '{}'", view(method)));
        return ADMIT_E_UNAVAILABLE;
    }
    admit_principal anonymous{};
    anonymous.size = sizeof(admit_principal);
    return entry.fn(entry.ctx, caller != nullptr ? caller : &anonymous, input, output, error);
}

admit_status policy_eval(admit_host* host, admit_str name, admit_str input, admit_sink* decision,
                         admit_sink* revision, admit_sink* error) {
    auto* engine = configured(runtime_of(host).services().policies, error, "the policy engine");
    if (engine == nullptr) return ADMIT_E_UNSUPPORTED;
    return policy::evaluate_for_plugin(*engine, name, input, decision, revision, error);
}

admit_status metric_register(admit_host* host, const admit_metric_desc* desc, admit_metric** out,
                             admit_sink* error) {
    if (!check_registering(host, error, "metric_register")) return ADMIT_E_STATE;
    if (desc == nullptr || out == nullptr ||
        !ADMIT_HAS_FIELD(desc, admit_metric_desc, bucket_count) ||
        (desc->bucket_count > 0 && desc->buckets == nullptr)) {
        write_to(error, "metric_register needs a metric descriptor and an output handle");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    *out = nullptr;
    auto* registry = configured(runtime_of(host).services().metrics, error, "metrics");
    if (registry == nullptr) return ADMIT_E_UNSUPPORTED;
    const uint32_t kind = desc->kind;
    const auto name = view(desc->name);
    const auto help = view(desc->help);
    auto parsed = observe::parse_rendered_labels(view(desc->labels));
    if (!parsed) {
        write_to(error, fmt::format("metric {}: {}", name, parsed.error().message));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    if (kind != ADMIT_METRIC_HISTOGRAM && desc->bucket_count > 0) {
        write_to(error, fmt::format("metric {}: only a histogram has buckets", name));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto full = fmt::format("admit_{}_{}", plugin_of(host).name, name);
    auto metric = std::make_unique<admit_metric>();
    metric->kind = kind;
    std::string problem;
    switch (kind) {
        case ADMIT_METRIC_COUNTER: {
            auto c = registry->counter(full, help, parsed.value());
            if (c)
                metric->counter = c.value();
            else
                problem = c.error().message;
            break;
        }
        case ADMIT_METRIC_GAUGE: {
            auto g = registry->gauge(full, help, parsed.value());
            if (g)
                metric->gauge = g.value();
            else
                problem = g.error().message;
            break;
        }
        case ADMIT_METRIC_HISTOGRAM: {
            std::span<const double> bounds(desc->buckets, desc->bucket_count);
            auto h = registry->histogram(full, help, parsed.value(), bounds);
            if (h)
                metric->histogram = h.value();
            else
                problem = h.error().message;
            break;
        }
        default:
            problem = "unknown metric kind";
    }
    if (!problem.empty()) {
        write_to(error, fmt::format("metric {}: {}", full, problem));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    // Metric handles live as long as the plugin's record (the registry's series live forever).
    *out = metric.get();
    plugin_of(host).metrics.push_back(std::move(metric));
    return ADMIT_OK;
}

void metric_record(admit_metric* metric, double value) {
    if (metric == nullptr) return;
    if (metric->counter != nullptr) metric->counter->add(value);
    if (metric->gauge != nullptr) metric->gauge->set(value);
    if (metric->histogram != nullptr) metric->histogram->observe(value);
}

}  // namespace

admit_status status_from_error(const Error& e) {
    const auto& c = e.code;
    if (c == ErrorCode::CONFLICT) return ADMIT_E_CONFLICT;
    if (c == ErrorCode::CONSTRAINT) return ADMIT_E_CONSTRAINT;
    if (c == ErrorCode::DEPENDENCY_UNAVAILABLE || c == ErrorCode::POOL_EXHAUSTED)
        return ADMIT_E_UNAVAILABLE;
    if (c == ErrorCode::TIMEOUT) return ADMIT_E_TIMEOUT;
    if (c == ErrorCode::NOT_FOUND) {
        return ADMIT_E_NOT_FOUND;
    }
    if (c == ErrorCode::INVALID_ARGUMENT || c == ErrorCode::INVALID_JSON)
        return ADMIT_E_INVALID_ARGUMENT;
    if (c == ErrorCode::ABORTED) return ADMIT_E_ABORTED;
    return ADMIT_E_INTERNAL;
}

void fill_core(admit_host_api& api) {
    api.config_json = guarded<&config_json>;
    api.log = guarded<&log>;
    api.now_us = guarded<&now_us>;
    api.service_register = guarded<&service_register>;
    api.service_call = guarded<&service_call>;
    api.policy_eval = guarded<&policy_eval>;
    api.metric_register = guarded<&metric_register>;
    api.metric_record = guarded<&metric_record>;
}

}  // namespace admit::runtime::api

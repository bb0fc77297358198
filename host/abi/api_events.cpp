// admit_host_api: events (transactional outbox) and jobs.
#include "admit/registration_rules.hpp"
#include "host/abi/abi_barrier.hpp"
#include "host/abi/abi_handles.hpp"
#include "host/abi/api_support.hpp"
#include "host/events/event_bus.hpp"
#include "host/jobs/job_scheduler.hpp"

namespace admit::runtime::api {
namespace {

admit_status event_publish(admit_host* host, admit_tx* tx, const admit_event_out* event,
                           admit_sink* error) {
    if (event == nullptr || !ADMIT_HAS_FIELD(event, admit_event_out, payload)) {
        write_to(error, "event_publish needs an event descriptor");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    const admit_str topic = event->topic;
    const admit_str key = event->key;
    const admit_str payload = event->payload;
    auto* bus = configured(runtime_of(host).services().events, error,
                           "the event outbox (it needs PostgreSQL)");
    if (bus == nullptr) return ADMIT_E_UNSUPPORTED;
    if (tx == nullptr || tx->tx == nullptr) {
        write_to(error, "event_publish needs the transaction the change is written in");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    if (!rules::is_publish_topic(view(topic))) {
        write_to(error, "event topic must be non-empty and contain no '*'");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    if (tx->deferred_events != nullptr) {
        tx->deferred_events->push_back(
            {std::string(view(topic)), std::string(view(key)), std::string(view(payload))});
        return ADMIT_OK;
    }
    auto result = bus->publish(*tx->tx, view(topic), view(key), view(payload));
    if (!result) return fail(error, result.error());
    return ADMIT_OK;
}

admit_status event_subscribe(admit_host* host, const admit_subscription_desc* desc,
                             admit_sink* error) {
    if (!check_registering(host, error, "event_subscribe")) return ADMIT_E_STATE;
    if (desc == nullptr || !ADMIT_HAS_FIELD(desc, admit_subscription_desc, ctx) ||
        desc->handler == nullptr) {
        write_to(error, "event_subscribe needs a subscription descriptor with a handler");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    if (!rules::is_subscription_topic(view(desc->topic)) ||
        !rules::is_local_name(view(desc->subscriber))) {
        write_to(error, fmt::format("subscription '{}' to topic '{}': the topic must be exact or a "
                                    "prefix ending in '*', the subscriber name of [A-Za-z0-9_.-]",
                                    view(desc->subscriber), view(desc->topic)));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    const uint32_t flags =
        ADMIT_HAS_FIELD(desc, admit_subscription_desc, flags) ? desc->flags : 0;  // 1.5
    if ((flags & ~ADMIT_SUBSCRIPTION_INTERACTIVE) != 0) {
        write_to(error, fmt::format("subscription '{}': unknown flags {:#x} (this host knows "
                                    "ADMIT_SUBSCRIPTION_INTERACTIVE only)",
                                    view(desc->subscriber), flags));
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto& plugin = plugin_of(host);
    auto subscriber = plugin.name + "." + std::string(view(desc->subscriber));
    if (registered_twice(
            plugin.staged.subscriptions, subscriber, [](const auto& s) { return s.subscriber; },
            "subscriber", error)) {
        return ADMIT_E_CONFLICT;
    }
    plugin.staged.subscriptions.push_back({std::string(view(desc->topic)), subscriber,
                                           desc->handler, desc->ctx,
                                           (flags & ADMIT_SUBSCRIPTION_INTERACTIVE) != 0});
    return ADMIT_OK;
}

admit_status job_register(admit_host* host, const admit_job_desc* desc, admit_sink* error) {
    if (!check_registering(host, error, "job_register")) return ADMIT_E_STATE;
    if (desc == nullptr || !ADMIT_HAS_FIELD(desc, admit_job_desc, ctx) || desc->run == nullptr ||
        !rules::is_local_name(view(desc->name))) {
        write_to(error, "a job needs a name of [A-Za-z0-9_.-] and a function");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto& plugin = plugin_of(host);
    auto name = plugin.name + "." + std::string(view(desc->name));
    if (registered_twice(
            plugin.staged.jobs, name, [](const auto& j) { return j.name; }, "job", error)) {
        return ADMIT_E_CONFLICT;
    }
    plugin.staged.jobs.push_back({name, desc->interval_ms, desc->run, desc->ctx});
    return ADMIT_OK;
}

admit_status job_enqueue(admit_host* host, admit_tx* tx, admit_str name, int64_t run_at_us,
                         admit_str payload, admit_sink* error) {
    auto* jobs = configured(runtime_of(host).services().jobs, error, "jobs (they need PostgreSQL)");
    if (jobs == nullptr) return ADMIT_E_UNSUPPORTED;
    auto full = plugin_of(host).name + "." + std::string(view(name));
    auto at = std::chrono::system_clock::time_point(std::chrono::microseconds(run_at_us));
    auto result =
        jobs->enqueue(tx != nullptr ? tx->tx : nullptr, full, at, std::string(view(payload)));
    if (!result) return fail(error, result.error());
    return ADMIT_OK;
}

}  // namespace

void fill_events(admit_host_api& api) {
    api.event_publish = guarded<&event_publish>;
    api.event_subscribe = guarded<&event_subscribe>;
    api.job_register = guarded<&job_register>;
    api.job_enqueue = guarded<&job_enqueue>;
}

}  // namespace admit::runtime::api

#include "host/runtime/host_metrics.hpp"

#include <fmt/format.h>

#include "host/events/event_bus.hpp"
#include "host/policy/policy_engine.hpp"

namespace admit::runtime {

std::string render_host_metrics(const events::EventBus* events,
                                const policy::PolicyEngine* policies) {
    std::string out;
    if (events != nullptr) {
        auto s = events->stats();
        auto counter = [&](const char* name, const char* help, std::uint64_t v) {
            out += fmt::format(
                "# HELP admit_events_{0}_total {1}\n# TYPE admit_events_{0}_total counter\n"
                "admit_events_{0}_total {2}\n",
                name, help, v);
        };
        counter("published", "Events written to the outbox", s.published);
        counter("relayed", "Outbox rows handed to the backend", s.relayed);
        counter("delivered", "Handler transactions committed", s.delivered);
        counter("duplicates", "Redeliveries filtered by handled ids", s.duplicates);
        counter("retried", "Failed handler attempts scheduled for retry", s.retried);
        counter("parked", "Events parked in the dead-letter table", s.parked);
        out += fmt::format(
            "# HELP admit_events_lag_seconds Publish to handler start, last delivery\n"
            "# TYPE admit_events_lag_seconds gauge\nadmit_events_lag_seconds {}\n",
            static_cast<double>(s.last_lag_us) / 1e6);
    }
    if (policies != nullptr) {
        auto infos = policies->list();
        auto family = [&](const char* name, const char* help, auto getter) {
            out += fmt::format(
                "# HELP admit_policy_{0}_total {1}\n# TYPE admit_policy_{0}_total counter\n", name,
                help);
            for (const auto& i : infos) {
                out += fmt::format("admit_policy_{}_total{{policy=\"{}\"}} {}\n", name, i.name,
                                   getter(i));
            }
        };
        family("evaluations", "Policy evaluations",
               [](const auto& i) { return i.counters.evaluations; });
        family("fallbacks", "Evaluations answered by the fallback decision",
               [](const auto& i) { return i.counters.fallbacks; });
        family("publishes", "Revisions published",
               [](const auto& i) { return i.counters.publishes; });
        family("rejects", "Revisions rejected", [](const auto& i) { return i.counters.rejects; });
        family("state_resets", "Worker Lua states rebuilt after a policy kept too much memory",
               [](const auto& i) { return i.counters.state_resets; });
    }
    return out;
}

}  // namespace admit::runtime

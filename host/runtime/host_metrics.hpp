// Prometheus text for host subsystems that keep their own counters (event bus, policy engine).
#pragma once

#include <string>

namespace admit::events {
class EventBus;
}
namespace admit::policy {
class PolicyEngine;
}

namespace admit::runtime {

// Either pointer may be null (subsystem not configured).
std::string render_host_metrics(const events::EventBus* events,
                                const policy::PolicyEngine* policies);

}  // namespace admit::runtime

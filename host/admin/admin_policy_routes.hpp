// Admin API of the policy engine: list, read, publish (PUT) and dry-run (evaluate) policies.
// Every route requires the admin role; publishes record the admin as the actor.
#pragma once

#include "host/pipeline/route_table.hpp"

namespace admit::policy {
class PolicyEngine;
}

namespace admit::runtime {

Status add_admin_policy_routes(RouteTable& routes, policy::PolicyEngine& engine,
                               const std::string& admin_role);

}  // namespace admit::runtime

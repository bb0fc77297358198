// Admin API of policies: list (with which revision each host serves), read, publish (PUT),
// revisions, rollback, approval, dry-run (evaluate) and shadow runs on recorded decisions. Reads,
// publishes, rollbacks and dry runs are for the admin role and the editor role ([policies]
// editor_role, "policy_editor"); approving or rejecting a pending revision is for the admin role
// only. The caller is recorded as the actor.
#pragma once

#include "host/pipeline/route_table.hpp"

namespace admit::policy {
class PolicyEngine;
class RevisionStore;
class StaffWorkflow;
class FleetSync;
class DecisionLog;
}  // namespace admit::policy

namespace admit::runtime {

struct PolicyAdminContext {
    policy::PolicyEngine* engine = nullptr;      // required
    policy::StaffWorkflow* workflow = nullptr;   // required
    policy::RevisionStore* revisions = nullptr;  // null without a database
    policy::FleetSync* fleet = nullptr;          // null without a database
    policy::DecisionLog* decisions = nullptr;    // null without a database
    std::string admin_role = "admin";
    std::string editor_role = "policy_editor";
};

Status add_admin_policy_routes(RouteTable& routes, PolicyAdminContext context);

}  // namespace admit::runtime

// The host schema of policy revisions (owner "admit_policy", schema "admit"): the revisions with
// their sources, tests and reports, the live revision per policy, what each host serves, and the
// decision log.
#pragma once

#include "host/store/migrations.hpp"

#include <vector>

namespace admit::policy {

inline constexpr const char* kPolicyMigrationOwner = "admit_policy";
inline constexpr const char* kPolicySchema = "admit";
// NOTIFY channel: a payload names the policy whose live revision changed.
inline constexpr const char* kPolicyChannel = "admit_policy";

std::vector<store::Migration> policy_migrations();

}  // namespace admit::policy

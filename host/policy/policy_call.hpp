// Loading a policy chunk into a Sandbox and calling its decide() under limits.
#pragma once

#include "host/common/result.hpp"
#include "host/policy/output_schema.hpp"
#include "host/policy/sandbox.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace admit::policy {

struct LoadedPolicy {
    int declared_ref = LUA_NOREF;  // the chunk's declared globals (registry reference)
    int decide_ref = LUA_NOREF;    // its decide function (registry reference)
    std::string fallback_json;     // its fallback table, as JSON
};

// Loads and checks the policy contract: a text chunk whose top level defines function
// decide(input) and a table fallback that converts to JSON. Errors carry the Lua message
// (code POLICY_ERROR, POLICY_BUDGET, POLICY_MEMORY, POLICY_DEADLINE or POLICY_CONTRACT).
Result<LoadedPolicy> load_policy(Sandbox& sandbox, std::string_view chunk_name,
                                 std::string_view source, const Limits& limits);

// Releases the references of a loaded policy.
void release_policy(Sandbox& sandbox, const LoadedPolicy& policy);

// Calls decide(input) under limits and returns the decision as JSON text. The decision must be a
// table representable as JSON and, when a schema is given, fit it (else POLICY_ERROR naming the
// field).
Result<std::string> call_decide(Sandbox& sandbox, int decide_ref, const boost::json::value& input,
                                const Limits& limits, const OutputSchema* schema = nullptr);

}  // namespace admit::policy

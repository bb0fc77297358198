// The host-table function policy_eval (plugin-api/include/admit/abi.h) on top of a PolicyEngine.
#pragma once

#include "host/policy/policy_engine.hpp"

#include <admit/abi.h>

namespace admit::policy {

// Evaluates policy `name` for a plugin. ADMIT_OK with the decision and revision written to their
// sinks, also when the call was bounded and the policy's fallback answered (the engine logs and
// counts that; our policies mark their fallbacks with "fallback": true).
// ADMIT_E_NOT_FOUND: no live policy of that name; ADMIT_E_INVALID_ARGUMENT: input is not JSON;
// ADMIT_E_INTERNAL otherwise. On an error the message goes to the error sink. Null sinks are
// skipped. Never throws.
admit_status evaluate_for_plugin(PolicyEngine& engine, admit_str name, admit_str input,
                                 admit_sink* decision, admit_sink* revision,
                                 admit_sink* error) noexcept;

}  // namespace admit::policy

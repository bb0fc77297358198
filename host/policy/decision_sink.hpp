// DecisionSink: where the engine hands every live decision it made (the decision log). The engine
// calls offer() on the evaluating thread, right after the decision, so an implementation must not
// block on I/O and must be thread-safe; it copies what it keeps.
#pragma once

#include "host/policy/policy_types.hpp"

#include <string_view>

namespace admit::policy {

class DecisionSink {
  public:
    virtual ~DecisionSink() = default;
    // decision.always_record: the policy sets money or time (its schema says so); such decisions
    // must not be sampled away.
    virtual void offer(std::string_view policy, std::string_view input_json,
                       const Decision& decision) noexcept = 0;
};

}  // namespace admit::policy

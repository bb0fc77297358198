// PolicyWorker: one thread's Lua state with every live policy loaded.
//
// Thread-safety: a worker is used by one thread only (PolicyEngine keeps one per thread). It
// holds the PolicySet it was synced to, so a worker never mixes revisions of two generations.
#pragma once

#include "common/result.hpp"
#include "policy/compiled_policy.hpp"
#include "policy/policy_call.hpp"
#include "policy/sandbox.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace admit::policy {

class PolicyWorker {
public:
    static Result<std::unique_ptr<PolicyWorker>> create(const Clock& clock, const Limits& limits);

    // Loads the revisions of set that this worker does not hold yet and drops the others.
    void sync(std::shared_ptr<const PolicySet> set);
    std::uint64_t generation() const { return set_ ? set_->generation : 0; }
    bool synced() const { return set_ != nullptr; }

    // Evaluates a live policy. Errors: POLICY_NOT_FOUND, POLICY_BAD_INPUT (input is not JSON).
    // A failed or bounded call yields the fallback decision with fallback_used set.
    Result<Decision> evaluate(std::string_view name, std::string_view input_json);

private:
    struct Slot {
        std::shared_ptr<const CompiledPolicy> compiled;
        LoadedPolicy loaded;
        std::string load_error;  // non-empty when this state could not load the revision
    };

    PolicyWorker(std::unique_ptr<Sandbox> sandbox, Limits limits)
        : sandbox_(std::move(sandbox)), limits_(limits) {}
    Decision fallback(const CompiledPolicy& compiled, std::string error);

    std::unique_ptr<Sandbox> sandbox_;
    Limits limits_;
    std::shared_ptr<const PolicySet> set_;
    std::map<std::string, Slot, std::less<>> slots_;
};

}  // namespace admit::policy

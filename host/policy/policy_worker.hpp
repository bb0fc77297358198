// PolicyWorker: one thread's Lua state with every live policy loaded.
//
// Thread-safety: a worker is used by one thread only (PolicyEngine keeps one per thread). It
// holds the PolicySet it was synced to, so a worker never mixes revisions of two generations.
//
// Retained memory: a policy cannot assign globals after loading, but it can still grow state
// that outlives a call (a table captured in a closure, the contents of a top-level table). After
// loading, the worker records what its state holds (after a full collection) as the baseline.
// After each call, when the state holds more than baseline + limits.retained_bytes, it runs a
// full collection; if the state still holds more, the state is discarded and rebuilt from the
// live revisions (their top levels run again, so all kept state starts over), the policy whose
// call crossed the limit gets its state_resets counter incremented and a warning is logged. The
// crossing call's decision stands: that call stayed within its own bounds. The check costs one
// comparison per call; the collection runs only past the limit.
#pragma once

#include "host/common/result.hpp"
#include "host/policy/compiled_policy.hpp"
#include "host/policy/policy_call.hpp"
#include "host/policy/sandbox.hpp"

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

    // How many times this worker's state was rebuilt (retained memory past the limit).
    std::uint64_t rebuilds() const { return rebuilds_; }

  private:
    struct Slot {
        std::shared_ptr<const CompiledPolicy> compiled;
        LoadedPolicy loaded;
        std::string load_error;  // non-empty when this state could not load the revision
    };

    PolicyWorker(std::unique_ptr<Sandbox> sandbox, Clock clock, Limits limits)
        : sandbox_(std::move(sandbox)), clock_(std::move(clock)), limits_(limits) {}
    Decision fallback(const CompiledPolicy& compiled, std::string error);
    Slot load_slot(const std::shared_ptr<const CompiledPolicy>& compiled);
    void update_baseline();
    void enforce_retained_limit(const CompiledPolicy& called);

    std::unique_ptr<Sandbox> sandbox_;
    Clock clock_;
    Limits limits_;
    std::size_t memory_ceiling_ = 0;  // baseline + retained_bytes
    std::uint64_t rebuilds_ = 0;
    std::shared_ptr<const PolicySet> set_;
    std::map<std::string, Slot, std::less<>> slots_;
};

}  // namespace admit::policy

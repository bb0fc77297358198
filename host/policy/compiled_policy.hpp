// Immutable published policy revisions and the snapshot that workers evaluate against.
#pragma once

#include "host/policy/output_schema.hpp"
#include "host/policy/policy_types.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace admit::policy {

// Per-name counters; they outlive revisions. Updated with relaxed atomics from any thread.
struct PolicyCounters {
    std::atomic<std::uint64_t> evaluations{0};
    std::atomic<std::uint64_t> fallbacks{0};
    std::atomic<std::uint64_t> publishes{0};
    std::atomic<std::uint64_t> rejects{0};
    std::atomic<std::uint64_t> state_resets{0};
    std::atomic<std::int64_t> last_fallback_log_ms{0};  // rate limit for fallback warnings

    PolicyCountersSnapshot snapshot() const {
        return {evaluations.load(std::memory_order_relaxed),
                fallbacks.load(std::memory_order_relaxed),
                publishes.load(std::memory_order_relaxed), rejects.load(std::memory_order_relaxed),
                state_resets.load(std::memory_order_relaxed)};
    }
};

// A revision that passed validation and its tests. Never changes after construction.
struct CompiledPolicy {
    std::string name;        // the key: "fees", or "fees@product/p1" for a scoped variant
    std::string scope;       // "" venue-wide, else the variant's scope
    std::string chunk_name;  // file name shown in messages: "fees.lua"
    std::string source;
    std::string test_source;
    std::string revision;
    std::string fallback_json;
    std::filesystem::path source_path;
    std::shared_ptr<const OutputSchema> schema;  // null: the policy declares none
    std::shared_ptr<PolicyCounters> counters;
};

// The set of live revisions at one generation. Published whole; never modified afterwards.
struct PolicySet {
    std::uint64_t generation = 0;
    std::map<std::string, std::shared_ptr<const CompiledPolicy>, std::less<>> policies;
    // Policies with scoped variants: name -> their scopes, longest first.
    std::map<std::string, std::vector<std::string>, std::less<>> scopes;
};

}  // namespace admit::policy

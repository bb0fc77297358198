// Shadow runs: a candidate revision replayed on recorded decisions (the decision log), answering
// what would have changed: how many decisions, per output field how (numbers: count, total,
// smallest and largest change, and the most frequent changes; other values: the most frequent
// old -> new transitions), and up to max_examples inputs with old and new outputs.
//
// Thread-safety: free functions without shared state.
#pragma once

#include "host/common/result.hpp"
#include "host/policy/decision_log.hpp"
#include "host/policy/output_schema.hpp"
#include "host/policy/policy_types.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace admit::policy {

class PolicyEngine;

struct FieldChange {
    std::string field;
    std::uint64_t changed = 0;
    bool numeric = true;  // every change of this field was number -> number
    bool money = false;   // declared money in the schema
    double total_delta = 0;
    double min_delta = 0;
    double max_delta = 0;
    std::map<std::string, std::uint64_t> counts;  // "+500" or "\"A\" -> \"B\"" -> occurrences
};

struct ShadowExample {
    std::int64_t decision_id = 0;
    std::string trace_id;
    std::string decided_at;
    std::string input_json;
    std::string old_json;
    std::string new_json;
    std::string error;  // the candidate's error when it answered its fallback
};

struct ShadowReport {
    std::string candidate_revision;
    std::uint64_t decisions = 0;  // replayed
    std::uint64_t changed = 0;
    std::uint64_t candidate_fallbacks = 0;
    std::vector<FieldChange> fields;  // fields that changed at least once, by name
    std::vector<ShadowExample> examples;
};

// Compares recorded decisions with the candidate's (same order, same size).
ShadowReport compare_decisions(const std::vector<RecordedDecision>& recorded,
                               const std::vector<Result<Decision>>& candidate,
                               const OutputSchema* schema, std::size_t max_examples = 50);

// Replays `source` as policy `name` on its newest `limit` recorded decisions (within `since`).
// With `scope`, the candidate is that scoped variant ("" the venue-wide revision) and replays
// only the decisions that scope made; without, it replays the decisions of every scope.
// Errors: POLICY_REJECTED (the candidate does not compile or breaks the contract), POLICY_NAME
// (an invalid scope), store errors.
Result<ShadowReport> shadow_run(PolicyEngine& engine, DecisionLog& log, const std::string& name,
                                std::string source, std::size_t limit,
                                std::optional<std::chrono::seconds> since,
                                std::optional<std::string> scope = std::nullopt);

boost::json::object shadow_report_json(const ShadowReport& report);

// "1d", "12h", "30m", "45s" -> seconds; nullopt when malformed.
std::optional<std::chrono::seconds> parse_window(std::string_view text);

}  // namespace admit::policy

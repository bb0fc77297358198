#include "host/policy/shadow_run.hpp"

#include "host/policy/policy_engine.hpp"
#include "host/policy/policy_files.hpp"
#include "host/policy/revision.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace admit::policy {
namespace {

constexpr std::size_t kCountsPerField = 20;

boost::json::object parsed_object(const std::string& text) {
    boost::system::error_code error;
    auto value = boost::json::parse(text, error);
    return !error && value.is_object() ? std::move(value.as_object()) : boost::json::object{};
}

std::string number_text(double value) {
    if (std::floor(value) == value && std::fabs(value) < 9.0e15) {
        return std::to_string(static_cast<long long>(value));
    }
    return boost::json::serialize(boost::json::value(value));
}

std::string shown(const boost::json::value* value) {
    return value == nullptr ? "(absent)" : boost::json::serialize(*value);
}

void count(FieldChange& change, const std::string& key) {
    auto found = change.counts.find(key);
    if (found != change.counts.end()) {
        ++found->second;
    } else if (change.counts.size() < kCountsPerField) {
        change.counts.emplace(key, 1);
    }
}

// Records one field's change; answers whether the field changed.
bool note_field(std::map<std::string, FieldChange>& fields, const std::string& name,
                const boost::json::value* before, const boost::json::value* after,
                const OutputSchema* schema) {
    if (before != nullptr && after != nullptr && *before == *after) return false;
    if (before == nullptr && after == nullptr) return false;
    FieldChange& change = fields[name];
    if (change.changed == 0) {
        change.field = name;
        if (schema != nullptr) {
            auto declared = schema->fields().find(name);
            change.money = declared != schema->fields().end() && declared->second.money;
        }
    }
    ++change.changed;
    if (before != nullptr && after != nullptr && before->is_number() && after->is_number()) {
        const double delta = after->to_number<double>() - before->to_number<double>();
        change.min_delta = change.changed == 1 ? delta : std::min(change.min_delta, delta);
        change.max_delta = change.changed == 1 ? delta : std::max(change.max_delta, delta);
        change.total_delta += delta;
        std::string key = delta > 0 ? "+" : "";
        key += number_text(delta);
        count(change, key);
    } else {
        change.numeric = false;
        count(change, shown(before) + " -> " + shown(after));
    }
    return true;
}

}  // namespace

ShadowReport compare_decisions(const std::vector<RecordedDecision>& recorded,
                               const std::vector<Result<Decision>>& candidate,
                               const OutputSchema* schema, std::size_t max_examples) {
    ShadowReport report;
    std::map<std::string, FieldChange> fields;
    const std::size_t n = std::min(recorded.size(), candidate.size());
    for (std::size_t i = 0; i < n; ++i) {
        const RecordedDecision& old_decision = recorded[i];
        ++report.decisions;
        std::string new_json;
        std::string error;
        if (candidate[i].ok()) {
            new_json = candidate[i].value().json;
            if (candidate[i].value().fallback_used) {
                ++report.candidate_fallbacks;
                error = candidate[i].value().error;
            }
        } else {
            ++report.candidate_fallbacks;
            error = candidate[i].error().message;
        }
        const auto before = parsed_object(old_decision.output_json);
        const auto after = parsed_object(new_json);
        bool changed = false;
        for (const auto& [key, value] : before) {
            changed |= note_field(fields, key, &value, after.if_contains(key), schema);
        }
        for (const auto& [key, value] : after) {
            if (!before.contains(key)) changed |= note_field(fields, key, nullptr, &value, schema);
        }
        if (!changed && error.empty()) continue;
        ++report.changed;
        if (report.examples.size() < max_examples) {
            report.examples.push_back(
                ShadowExample{old_decision.id, old_decision.trace_id, old_decision.decided_at,
                              old_decision.input_json, old_decision.output_json, new_json, error});
        }
    }
    for (auto& [name, change] : fields) report.fields.push_back(std::move(change));
    return report;
}

Result<ShadowReport> shadow_run(PolicyEngine& engine, DecisionLog& log, const std::string& name,
                                std::string source, std::size_t limit,
                                std::optional<std::chrono::seconds> since,
                                std::optional<std::string> scope) {
    const std::string candidate = policy_key(name, scope.value_or(""));
    if (!parse_policy_key(candidate)) {
        return Error{ErrorCode::POLICY_NAME, "invalid scope '" + scope.value_or("") + "'"};
    }
    auto recorded = log.recent(name, limit, since, std::move(scope));
    if (!recorded) return recorded.error();
    std::vector<std::string> inputs;
    inputs.reserve(recorded->size());
    for (const auto& decision : recorded.value()) inputs.push_back(decision.input_json);
    const std::string revision = revision_of(source, "");
    auto replayed = engine.dry_run_many(candidate, std::move(source), inputs);
    if (!replayed) return replayed.error();
    auto schema = OutputSchema::load(policy_paths(engine.options(), name).schema);
    ShadowReport report = compare_decisions(recorded.value(), replayed.value(),
                                            schema.ok() ? schema.value().get() : nullptr);
    report.candidate_revision = revision;
    return report;
}

boost::json::object shadow_report_json(const ShadowReport& report) {
    boost::json::array fields;
    for (const auto& change : report.fields) {
        boost::json::object counts;
        for (const auto& [key, n] : change.counts) counts[key] = n;
        boost::json::object field{{"field", change.field},
                                  {"changed", change.changed},
                                  {"money", change.money},
                                  {"changes", std::move(counts)}};
        if (change.numeric) {
            field["totalDelta"] = change.total_delta;
            field["minDelta"] = change.min_delta;
            field["maxDelta"] = change.max_delta;
        }
        fields.push_back(std::move(field));
    }
    boost::json::array examples;
    for (const auto& example : report.examples) {
        boost::json::object o{
            {"decisionId", example.decision_id},      {"traceId", example.trace_id},
            {"decidedAt", example.decided_at},        {"input", parsed_object(example.input_json)},
            {"old", parsed_object(example.old_json)}, {"new", parsed_object(example.new_json)}};
        if (!example.error.empty()) o["error"] = example.error;
        examples.push_back(std::move(o));
    }
    return {{"candidateRevision", report.candidate_revision},
            {"decisions", report.decisions},
            {"changed", report.changed},
            {"candidateFallbacks", report.candidate_fallbacks},
            {"fields", std::move(fields)},
            {"examples", std::move(examples)}};
}

std::optional<std::chrono::seconds> parse_window(std::string_view text) {
    if (text.size() < 2 || text.size() > 10) return std::nullopt;
    std::int64_t amount = 0;
    for (char c : text.substr(0, text.size() - 1)) {
        if (c < '0' || c > '9') return std::nullopt;
        amount = amount * 10 + (c - '0');
    }
    switch (text.back()) {
        case 's':
            return std::chrono::seconds(amount);
        case 'm':
            return std::chrono::seconds(amount * 60);
        case 'h':
            return std::chrono::seconds(amount * 3600);
        case 'd':
            return std::chrono::seconds(amount * 86400);
        default:
            return std::nullopt;
    }
}

}  // namespace admit::policy

#include "host/policy/policy_worker.hpp"

#include "host/policy/policy_files.hpp"

#include <spdlog/spdlog.h>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include <array>
#include <chrono>
#include <cstdint>

namespace admit::policy {

Result<std::unique_ptr<PolicyWorker>> PolicyWorker::create(const Clock& clock,
                                                           const Limits& limits) {
    auto sandbox = Sandbox::create(clock);
    if (!sandbox.ok()) return sandbox.error();
    return std::unique_ptr<PolicyWorker>(
        new PolicyWorker(std::move(sandbox.value()), clock, limits));
}

PolicyWorker::Slot PolicyWorker::load_slot(const std::shared_ptr<const CompiledPolicy>& compiled) {
    Slot slot{compiled, {}, {}};
    auto loaded = load_policy(*sandbox_, compiled->chunk_name, compiled->source, limits_);
    if (loaded.ok()) {
        slot.loaded = loaded.value();
    } else {
        slot.load_error =
            "worker could not load revision " + compiled->revision + ": " + loaded.error().message;
        spdlog::error("policy {}: {}", compiled->name, slot.load_error);
    }
    return slot;
}

void PolicyWorker::update_baseline() {
    const std::size_t baseline = sandbox_->collect_garbage();
    memory_ceiling_ =
        limits_.retained_bytes > SIZE_MAX - baseline ? SIZE_MAX : baseline + limits_.retained_bytes;
}

void PolicyWorker::enforce_retained_limit(const CompiledPolicy& called) {
    if (sandbox_->memory_in_use() <= memory_ceiling_) return;
    const std::size_t kept = sandbox_->collect_garbage();
    if (kept <= memory_ceiling_) return;
    auto fresh = Sandbox::create(clock_);
    if (!fresh.ok()) {
        spdlog::error("policy {}: state keeps {} bytes and cannot be rebuilt: {}", called.name,
                      kept, fresh.error().message);
        return;
    }
    called.counters->state_resets.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn(
        "policy {} revision {}: the worker's Lua state keeps {} bytes across calls (limit {}); "
        "rebuilt from the live revisions",
        called.name, called.revision, kept, memory_ceiling_);
    ++rebuilds_;
    std::map<std::string, Slot, std::less<>> old_slots = std::move(slots_);
    slots_.clear();
    sandbox_ = std::move(fresh.value());  // the old state and every reference into it go here
    for (auto& [name, slot] : old_slots) slots_.emplace(name, load_slot(slot.compiled));
    update_baseline();
}

void PolicyWorker::sync(std::shared_ptr<const PolicySet> set) {
    for (auto it = slots_.begin(); it != slots_.end();) {
        auto live = set->policies.find(it->first);
        if (live == set->policies.end() || live->second != it->second.compiled) {
            release_policy(*sandbox_, it->second.loaded);
            it = slots_.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto& [name, compiled] : set->policies) {
        if (slots_.count(name) != 0) continue;
        slots_.emplace(name, load_slot(compiled));
    }
    set_ = std::move(set);
    update_baseline();
}

Result<Decision> PolicyWorker::evaluate(std::string_view name, std::string_view input_json) {
    // Inputs are small: parse into a stack buffer (no heap traffic for typical inputs).
    std::array<unsigned char, 4096> parse_buffer;
    boost::json::monotonic_resource parse_memory(parse_buffer.data(), parse_buffer.size());
    boost::system::error_code parse_error;
    boost::json::value input = boost::json::parse(input_json, parse_error, &parse_memory);
    if (parse_error) {
        if (slots_.find(name) == slots_.end() && set_->scopes.find(name) == set_->scopes.end()) {
            return Error{ErrorCode::POLICY_NOT_FOUND,
                         "no live policy named '" + std::string(name) + "'"};
        }
        return Error{ErrorCode::POLICY_BAD_INPUT,
                     "policy input is not valid JSON: " + parse_error.message()};
    }
    auto found = slots_.find(name);
    // A scoped variant decides when the input's scope falls under it (longest scope first).
    if (auto scoped = set_->scopes.find(name); scoped != set_->scopes.end()) {
        const auto* object = input.if_object();
        const auto* scope = object != nullptr ? object->if_contains("scope") : nullptr;
        if (scope != nullptr && scope->is_string()) {
            for (const std::string& variant : scoped->second) {
                if (!scope_covers(variant, scope->get_string())) continue;
                if (auto slot = slots_.find(policy_key(name, variant)); slot != slots_.end()) {
                    found = slot;
                    break;
                }
            }
        }
    }
    if (found == slots_.end()) {
        return Error{ErrorCode::POLICY_NOT_FOUND,
                     "no live policy named '" + std::string(name) + "'"};
    }
    const Slot& slot = found->second;
    const CompiledPolicy& compiled = *slot.compiled;
    compiled.counters->evaluations.fetch_add(1, std::memory_order_relaxed);
    if (!slot.load_error.empty()) return fallback(compiled, slot.load_error);
    Result<std::string> decision =
        call_decide(*sandbox_, slot.loaded.decide_ref, input, limits_, compiled.schema.get());
    const std::shared_ptr<const CompiledPolicy> keep = slot.compiled;  // slots_ may be rebuilt
    enforce_retained_limit(*keep);
    if (!decision.ok()) return fallback(*keep, decision.error().message);
    return Decision{std::move(decision.value()),
                    keep->revision,
                    false,
                    {},
                    keep->schema && keep->schema->sets_money_or_time(),
                    keep->scope};
}

Decision PolicyWorker::fallback(const CompiledPolicy& compiled, std::string error) {
    compiled.counters->fallbacks.fetch_add(1, std::memory_order_relaxed);
    using namespace std::chrono;
    const auto now_ms = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    auto last = compiled.counters->last_fallback_log_ms.load(std::memory_order_relaxed);
    if (now_ms - last >= 1000 &&
        compiled.counters->last_fallback_log_ms.compare_exchange_strong(last, now_ms)) {
        spdlog::warn("policy {} revision {} answered with its fallback: {}", compiled.name,
                     compiled.revision, error);
    }
    return Decision{compiled.fallback_json,
                    compiled.revision,
                    true,
                    std::move(error),
                    compiled.schema && compiled.schema->sets_money_or_time(),
                    compiled.scope};
}

}  // namespace admit::policy

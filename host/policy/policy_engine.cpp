#include "host/policy/policy_engine.hpp"

#include "host/policy/decision_sink.hpp"

#include "host/policy/policy_files.hpp"
#include "host/policy/policy_validator.hpp"
#include "host/policy/policy_watcher.hpp"
#include "host/policy/policy_worker.hpp"
#include "host/policy/revision.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace admit::policy {
namespace {

struct ThreadWorker {
    std::uint64_t engine_id;
    std::weak_ptr<const int> engine_alive;
    std::unique_ptr<PolicyWorker> worker;
};

// The calling thread's workers, one per engine; the last one used is cached.
struct ThreadWorkers {
    std::vector<ThreadWorker> entries;
    std::uint64_t cached_engine = 0;
    PolicyWorker* cached_worker = nullptr;
};

thread_local ThreadWorkers thread_workers;

std::atomic<std::uint64_t> next_engine_id{1};

}  // namespace

PolicyEngine::PolicyEngine(PolicyOptions options)
    : options_(std::move(options)),
      engine_id_(next_engine_id.fetch_add(1)),
      alive_token_(std::make_shared<const int>(0)),
      published_(std::make_shared<const PolicySet>()) {
    if (!options_.clock) options_.clock = system_clock();
}

PolicyEngine::~PolicyEngine() { stop_watching(); }

std::shared_ptr<const PolicySet> PolicyEngine::published() const {
    std::lock_guard lock(snapshot_mutex_);
    return published_;
}

PolicyWorker* PolicyEngine::worker_for_this_thread() {
    ThreadWorkers& local = thread_workers;
    if (local.cached_engine == engine_id_) return local.cached_worker;
    for (ThreadWorker& entry : local.entries) {
        if (entry.engine_id == engine_id_) {
            local.cached_engine = engine_id_;
            local.cached_worker = entry.worker.get();
            return entry.worker.get();
        }
    }
    std::erase_if(local.entries, [](const ThreadWorker& e) { return e.engine_alive.expired(); });
    auto worker = PolicyWorker::create(options_.clock, options_.call_limits());
    if (!worker.ok()) return nullptr;
    local.entries.push_back({engine_id_, alive_token_, std::move(worker.value())});
    local.cached_engine = engine_id_;
    local.cached_worker = local.entries.back().worker.get();
    return local.cached_worker;
}

Result<Decision> PolicyEngine::evaluate(std::string_view name, std::string_view input_json) {
    PolicyWorker* worker = worker_for_this_thread();
    if (worker == nullptr)
        return Error{ErrorCode::POLICY_STATE, "cannot create a Lua state for this thread"};
    const std::uint64_t generation = generation_.load(std::memory_order_acquire);
    if (!worker->synced() || worker->generation() != generation) {
        worker->sync(published());
    }
    Result<Decision> decision = worker->evaluate(name, input_json);
    if (DecisionSink* sink = sink_.load(std::memory_order_acquire);
        sink != nullptr && decision.ok()) {
        sink->offer(name, input_json, decision.value());
    }
    return decision;
}

Status PolicyEngine::load_all() {
    std::error_code error;
    if (!std::filesystem::is_directory(options_.dir, error)) {
        return Error{ErrorCode::POLICY_DIR,
                     "policy directory " + options_.dir.string() + " is not readable"};
    }
    const auto reports = reload_all("startup");
    std::size_t rejected = 0;
    for (const auto& report : reports) rejected += report.result == PublishResult::rejected ? 1 : 0;
    spdlog::info("policies: {} loaded, {} rejected, from {}", reports.size() - rejected, rejected,
                 options_.dir.string());
    return {};
}

PolicyEngine::Record& PolicyEngine::record_for(const std::string& name) {
    auto found = records_.find(name);
    if (found != records_.end()) return found->second;
    PolicyPaths paths = policy_paths(options_, name);
    Record record{paths.source, paths.test, paths.schema, std::make_shared<PolicyCounters>(), {}};
    return records_.emplace(name, std::move(record)).first->second;
}

void PolicyEngine::remember(Record& record, const PublishReport& report) {
    record.history.push_back(report);
    while (record.history.size() > std::max<std::size_t>(1, options_.history_limit)) {
        record.history.pop_front();
    }
}

Result<PublishReport> PolicyEngine::publish(std::string_view name, std::string source,
                                            std::string actor, bool persist) {
    if (!is_valid_policy_name(name)) {
        return Error{ErrorCode::POLICY_NAME, "invalid policy name '" + std::string(name) +
                                                 "' (use a-z, 0-9 and _, not ending in _test)"};
    }
    std::lock_guard lock(publish_mutex_);
    const std::string key(name);
    Record& record = record_for(key);
    auto test_source = read_file(record.test_path);
    return publish_locked(key, std::move(source), test_source ? std::move(*test_source) : "",
                          std::move(actor), persist);
}

Result<PublishReport> PolicyEngine::publish_locked(const std::string& name, std::string source,
                                                   std::string test_source, std::string actor,
                                                   bool persist, bool go_live) {
    Record& record = record_for(name);
    const auto current = published();
    auto live = current->policies.find(name);
    PublishReport report;
    report.name = name;
    report.actor = std::move(actor);
    report.at = std::chrono::system_clock::now();
    report.previous_revision = live != current->policies.end() ? live->second->revision : "";
    report.revision = revision_of(source, test_source);

    if (go_live && report.revision == report.previous_revision) {
        report.result = PublishResult::unchanged;
        if (!record.history.empty() && record.history.back().result == PublishResult::rejected) {
            remember(record, report);  // the broken edit was undone
        }
        return report;
    }

    PolicySources sources{name,
                          source,
                          record.source_path.filename().string(),
                          test_source,
                          record.test_path.filename().string(),
                          nullptr};
    auto schema = OutputSchema::load(record.schema_path);
    ValidationOutcome outcome;
    if (schema.ok()) {
        sources.schema = schema.value();
        outcome = validate_policy(sources, options_.call_limits(), options_.test_limits(),
                                  options_.clock);
    } else {
        outcome.problem = PolicyProblem{{}, 0, schema.error().message, {}};
    }
    report.tests_run = outcome.tests_run;
    report.tests_passed = outcome.tests_passed;
    if (outcome.ok && !go_live) {
        report.result = PublishResult::checked;
        return report;
    }
    if (outcome.ok && persist) {
        if (Status written = write_file_atomically(record.source_path, source); !written.ok()) {
            outcome.ok = false;
            outcome.problem = PolicyProblem{{}, 0, written.error().message, {}};
        }
    }
    if (!outcome.ok) {
        report.result = PublishResult::rejected;
        report.problem = outcome.problem;
        record.counters->rejects.fetch_add(1, std::memory_order_relaxed);
        remember(record, report);
        spdlog::error("policy {} revision {} rejected (by {}): {}; live revision {} keeps serving",
                      name, report.revision, report.actor, report.problem.describe(),
                      report.previous_revision.empty() ? "(none)" : report.previous_revision);
        return Error{ErrorCode::POLICY_REJECTED, report.problem.describe()};
    }

    auto compiled = std::make_shared<CompiledPolicy>();
    compiled->name = name;
    compiled->scope = parse_policy_key(name).value_or(PolicyKey{}).scope;
    compiled->chunk_name = sources.chunk_name;
    compiled->source = std::move(source);
    compiled->test_source = std::move(test_source);
    compiled->revision = report.revision;
    compiled->fallback_json = std::move(outcome.fallback_json);
    compiled->source_path = record.source_path;
    compiled->schema = std::move(sources.schema);
    compiled->counters = record.counters;

    auto next = std::make_shared<PolicySet>(*current);
    next->generation = current->generation + 1;
    if (!compiled->scope.empty()) {
        const std::string base = name.substr(0, name.find('@'));
        auto& scopes = next->scopes[base];
        if (std::find(scopes.begin(), scopes.end(), compiled->scope) == scopes.end()) {
            scopes.push_back(compiled->scope);
            std::stable_sort(scopes.begin(), scopes.end(),
                             [](const auto& a, const auto& b) { return a.size() > b.size(); });
        }
    }
    next->policies[name] = std::move(compiled);
    {
        std::lock_guard snapshot_lock(snapshot_mutex_);
        published_ = next;
    }
    generation_.store(next->generation, std::memory_order_release);

    report.result = PublishResult::published;
    record.counters->publishes.fetch_add(1, std::memory_order_relaxed);
    remember(record, report);
    spdlog::info("policy {} revision {} published (by {}, {} tests passed, was {})", name,
                 report.revision, report.actor, report.tests_passed,
                 report.previous_revision.empty() ? "(none)" : report.previous_revision);
    return report;
}

Result<PublishReport> PolicyEngine::check(std::string_view name, std::string source,
                                          std::optional<std::string> tests, std::string actor,
                                          std::string* tests_used) {
    const auto parsed = parse_policy_key(name);
    if (!parsed) {
        return Error{ErrorCode::POLICY_NAME, "invalid policy name '" + std::string(name) + "'"};
    }
    std::lock_guard lock(publish_mutex_);
    const std::string key(name);
    Record& record = record_for(key);
    if (!tests) {
        // The variant's live tests, else the venue-wide policy's, else the test file.
        const auto current = published();
        auto live = current->policies.find(key);
        if (live == current->policies.end()) live = current->policies.find(parsed->name);
        if (live != current->policies.end()) {
            tests = live->second->test_source;
        } else {
            tests = read_file(record.test_path).value_or("");
        }
    }
    if (tests_used != nullptr) *tests_used = *tests;
    return publish_locked(key, std::move(source), std::move(*tests), std::move(actor), false,
                          false);
}

Result<PublishReport> PolicyEngine::install(std::string_view name, std::string source,
                                            std::string test_source, std::string actor) {
    if (!parse_policy_key(name)) {
        return Error{ErrorCode::POLICY_NAME, "invalid policy name '" + std::string(name) + "'"};
    }
    std::lock_guard lock(publish_mutex_);
    return publish_locked(std::string(name), std::move(source), std::move(test_source),
                          std::move(actor), false);
}

std::map<std::string, std::shared_ptr<const CompiledPolicy>, std::less<>> PolicyEngine::live()
    const {
    return published()->policies;
}

Result<PublishReport> PolicyEngine::reload(std::string_view name, std::string actor) {
    if (!is_valid_policy_name(name)) {
        return Error{ErrorCode::POLICY_NAME, "invalid policy name '" + std::string(name) + "'"};
    }
    std::lock_guard lock(publish_mutex_);
    const std::string key(name);
    Record& record = record_for(key);
    auto source = read_file(record.source_path);
    if (!source) {
        return Error{ErrorCode::POLICY_NOT_FOUND, "cannot read " + record.source_path.string() +
                                                      "; the live revision (if any) keeps serving"};
    }
    auto test_source = read_file(record.test_path);
    return publish_locked(key, std::move(*source), test_source ? std::move(*test_source) : "",
                          std::move(actor), false);
}

std::vector<PublishReport> PolicyEngine::reload_all(std::string actor) {
    std::vector<PublishReport> reports;
    for (const std::string& name : discover_policy_names(options_)) {
        auto report = reload(name, actor);
        if (report.ok()) {
            reports.push_back(std::move(report.value()));
        } else {
            auto records = history(name);
            if (!records.empty() && records.back().result == PublishResult::rejected) {
                reports.push_back(records.back());
            }
        }
    }
    return reports;
}

Result<std::shared_ptr<const CompiledPolicy>> PolicyEngine::dry_run_policy(
    std::string_view name, std::optional<std::string> source) const {
    if (source) {
        PolicyPaths paths = policy_paths(options_, std::string(name));
        auto schema = OutputSchema::load(paths.schema);
        if (!schema.ok()) return schema.error();
        PolicySources sources{std::string(name), *source, paths.source.filename().string(), {}, {},
                              schema.value()};
        ValidationOutcome outcome = validate_policy(sources, options_.call_limits(),
                                                    options_.test_limits(), options_.clock, false);
        if (!outcome.ok) return Error{ErrorCode::POLICY_REJECTED, outcome.problem.describe()};
        auto candidate = std::make_shared<CompiledPolicy>();
        candidate->name = std::string(name);
        candidate->chunk_name = sources.chunk_name;
        candidate->source = std::move(*source);
        candidate->revision = revision_of(candidate->source, "");
        candidate->fallback_json = std::move(outcome.fallback_json);
        candidate->schema = std::move(sources.schema);
        candidate->counters = std::make_shared<PolicyCounters>();
        return std::shared_ptr<const CompiledPolicy>(std::move(candidate));
    }
    const auto current = published();
    auto live = current->policies.find(name);
    if (live == current->policies.end()) {
        return Error{ErrorCode::POLICY_NOT_FOUND,
                     "no live policy named '" + std::string(name) + "'"};
    }
    auto copy = std::make_shared<CompiledPolicy>(*live->second);
    copy->counters = std::make_shared<PolicyCounters>();  // dry runs are not counted
    return std::shared_ptr<const CompiledPolicy>(std::move(copy));
}

Result<std::unique_ptr<PolicyWorker>> PolicyEngine::private_worker(
    std::shared_ptr<const CompiledPolicy> compiled) const {
    auto worker = PolicyWorker::create(options_.clock, options_.call_limits());
    if (!worker.ok()) return worker.error();
    auto set = std::make_shared<PolicySet>();
    set->policies.emplace(compiled->name, std::move(compiled));
    worker.value()->sync(std::move(set));
    return std::move(worker.value());
}

Result<Decision> PolicyEngine::dry_run(std::string_view name, std::optional<std::string> source,
                                       std::string_view input_json) {
    if (!source) {
        // The live policy and its scoped variants (copies: dry runs are not counted).
        const auto current = published();
        auto set = std::make_shared<PolicySet>();
        for (const auto& [key, compiled] : current->policies) {
            if (key != name &&
                !(key.size() > name.size() && key.starts_with(name) && key[name.size()] == '@')) {
                continue;
            }
            auto copy = std::make_shared<CompiledPolicy>(*compiled);
            copy->counters = std::make_shared<PolicyCounters>();
            set->policies.emplace(key, std::move(copy));
        }
        if (auto scoped = current->scopes.find(name); scoped != current->scopes.end()) {
            set->scopes.emplace(scoped->first, scoped->second);
        }
        if (set->policies.empty()) {
            return Error{ErrorCode::POLICY_NOT_FOUND,
                         "no live policy named '" + std::string(name) + "'"};
        }
        auto worker = PolicyWorker::create(options_.clock, options_.call_limits());
        if (!worker.ok()) return worker.error();
        worker.value()->sync(std::move(set));
        return worker.value()->evaluate(name, input_json);
    }
    auto compiled = dry_run_policy(name, std::move(source));
    if (!compiled.ok()) return compiled.error();
    auto worker = private_worker(std::move(compiled.value()));
    if (!worker.ok()) return worker.error();
    return worker.value()->evaluate(name, input_json);
}

Result<std::vector<Result<Decision>>> PolicyEngine::dry_run_many(
    std::string_view name, std::string source, const std::vector<std::string>& inputs) {
    auto compiled = dry_run_policy(name, std::move(source));
    if (!compiled.ok()) return compiled.error();
    auto worker = private_worker(std::move(compiled.value()));
    if (!worker.ok()) return worker.error();
    std::vector<Result<Decision>> decisions;
    decisions.reserve(inputs.size());
    for (const auto& input : inputs) decisions.push_back(worker.value()->evaluate(name, input));
    return decisions;
}

Result<std::string> PolicyEngine::source(std::string_view name) const {
    const auto current = published();
    auto live = current->policies.find(name);
    if (live == current->policies.end()) {
        return Error{ErrorCode::POLICY_NOT_FOUND,
                     "no live policy named '" + std::string(name) + "'"};
    }
    return live->second->source;
}

std::vector<PolicyInfo> PolicyEngine::list() const {
    std::lock_guard lock(publish_mutex_);
    const auto current = published();
    std::vector<PolicyInfo> infos;
    for (const auto& [name, record] : records_) {
        PolicyInfo info;
        info.name = name;
        auto live = current->policies.find(name);
        if (live != current->policies.end()) info.live_revision = live->second->revision;
        info.source_path = record.source_path;
        info.has_last_attempt = !record.history.empty();
        if (info.has_last_attempt) info.last_attempt = record.history.back();
        info.counters = record.counters->snapshot();
        infos.push_back(std::move(info));
    }
    return infos;
}

std::vector<PublishReport> PolicyEngine::history(std::string_view name) const {
    std::lock_guard lock(publish_mutex_);
    auto found = records_.find(name);
    if (found == records_.end()) return {};
    return {found->second.history.begin(), found->second.history.end()};
}

Status PolicyEngine::start_watching() {
    std::lock_guard lock(watcher_mutex_);
    if (watcher_) return {};
    auto watcher = PolicyWatcher::start(
        watched_directories(options_), options_.watch_debounce,
        [this](const std::vector<std::filesystem::path>& files) { handle_changed_files(files); });
    if (!watcher.ok()) return watcher.error();
    watcher_ = std::move(watcher.value());
    return {};
}

void PolicyEngine::stop_watching() {
    std::unique_ptr<PolicyWatcher> watcher;
    {
        std::lock_guard lock(watcher_mutex_);
        watcher = std::move(watcher_);
    }
    watcher.reset();  // joins the watcher thread outside the lock
}

void PolicyEngine::handle_changed_files(const std::vector<std::filesystem::path>& files) {
    std::set<std::string> names;
    for (const auto& file : files) {
        if (auto name = policy_name_for_file(options_, file)) names.insert(*name);
    }
    for (const std::string& name : names) {
        auto report = reload(name, "file-watcher");
        if (!report.ok() && report.error().code != ErrorCode::POLICY_REJECTED) {
            spdlog::warn("policy {}: {}", name, report.error().message);
        }
    }
}

}  // namespace admit::policy

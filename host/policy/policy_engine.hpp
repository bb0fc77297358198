// PolicyEngine: the host's Lua policy service (see policies/README.md for the policy contract).
//
// Evaluation takes no lock: each thread evaluates in its own Lua state (a PolicyWorker created on
// the thread's first call) and reads one atomic generation number per call. Only when that moved
// (once per publish) does the thread briefly lock to fetch the new PolicySet and load the changed
// revisions into its state. Publishing (validate, test, then swap in a new PolicySet) is
// serialized by another mutex and never runs on the evaluation path.
//
// Thread-safety: every public member may be called from any thread. The engine must outlive all
// calls into it; thread-local workers of a destroyed engine are freed lazily.
#pragma once

#include "host/common/result.hpp"
#include "host/policy/compiled_policy.hpp"
#include "host/policy/policy_types.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admit::policy {

class DecisionSink;
class PolicyWatcher;
class PolicyWorker;

class PolicyEngine {
  public:
    explicit PolicyEngine(PolicyOptions options);
    ~PolicyEngine();
    PolicyEngine(const PolicyEngine&) = delete;
    PolicyEngine& operator=(const PolicyEngine&) = delete;

    // Moves at every publish; a caller caching decisions re-evaluates when it changed.
    std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

    // Loads every <dir>/<name>.lua (and every override). A policy that fails validation is
    // logged, recorded (list(), history()) and absent; the others serve. Errors only when the
    // policy directory cannot be read (POLICY_DIR).
    Status load_all();

    // Evaluates live policy `name` on a JSON input. Errors: POLICY_NOT_FOUND, POLICY_BAD_INPUT,
    // POLICY_STATE (this thread's Lua state could not be created). A bounded or failed call is
    // not an error: it answers the policy's fallback with fallback_used and error set.
    Result<Decision> evaluate(std::string_view name, std::string_view input_json);

    // Validates source (with the policy's current test file), runs its tests and publishes it by
    // an atomic swap. With persist, the file is first written to disk (atomically, by rename),
    // as the admin API needs. Errors: POLICY_REJECTED (message: file:line: reason (test name);
    // the full record is in history(name)), POLICY_NAME, POLICY_IO. Publishing the live sources
    // again answers result unchanged.
    Result<PublishReport> publish(std::string_view name, std::string source, std::string actor,
                                  bool persist = true);

    // Validates and tests source without publishing it (result checked, or POLICY_REJECTED as
    // publish). tests: the test source to run; nullopt runs the live revision's tests (or the test
    // file's when nothing is live). The tests used are stored in *tests_used when given.
    Result<PublishReport> check(std::string_view name, std::string source,
                                std::optional<std::string> tests, std::string actor,
                                std::string* tests_used = nullptr);

    // Validates, tests and publishes exactly these sources (no file is read or written): how a
    // revision stored in PostgreSQL goes live on this host. Errors as publish.
    Result<PublishReport> install(std::string_view name, std::string source,
                                  std::string test_source, std::string actor);

    // The live revisions (name -> compiled revision), at this moment.
    std::map<std::string, std::shared_ptr<const CompiledPolicy>, std::less<>> live() const;

    // Re-reads the files of one policy / of all policies and publishes what changed (file
    // watcher and SIGHUP). A deleted file leaves its last good revision serving.
    Result<PublishReport> reload(std::string_view name, std::string actor);
    std::vector<PublishReport> reload_all(std::string actor);

    // Evaluates the live revision, or the supplied source (compiled and contract-checked, its
    // tests not run), in a private Lua state. Nothing is published or counted.
    Result<Decision> dry_run(std::string_view name, std::optional<std::string> source,
                             std::string_view input_json);

    // The live source of a policy (POLICY_NOT_FOUND when it has no live revision).
    Result<std::string> source(std::string_view name) const;
    std::vector<PolicyInfo> list() const;
    std::vector<PublishReport> history(std::string_view name) const;  // oldest first

    // Watches the policy directory (and override folders) with inotify in its own thread;
    // changes are debounced (options.watch_debounce) and reloaded as actor "file-watcher".
    Status start_watching();
    void stop_watching();

    const PolicyOptions& options() const { return options_; }

    // Every decision evaluate() makes is offered to sink (null: none). The sink must outlive the
    // engine's use of it: clear it (nullptr) before destroying the sink.
    void set_decision_sink(DecisionSink* sink) { sink_.store(sink, std::memory_order_release); }

    // Evaluates the supplied source (compiled and contract-checked once, its tests not run) on
    // every input, in a private Lua state; one result per input (an input that is not JSON gives
    // its error). Nothing is published, counted or offered to the decision sink.
    Result<std::vector<Result<Decision>>> dry_run_many(std::string_view name, std::string source,
                                                       const std::vector<std::string>& inputs);

  private:
    struct Record {
        std::filesystem::path source_path;
        std::filesystem::path test_path;
        std::filesystem::path schema_path;
        std::shared_ptr<PolicyCounters> counters;
        std::deque<PublishReport> history;
    };

    PolicyWorker* worker_for_this_thread();
    Record& record_for(const std::string& name);  // requires publish_mutex_
    // Validates and tests; with go_live, writes the file (persist) and swaps the revision in.
    Result<PublishReport> publish_locked(const std::string& name, std::string source,
                                         std::string test_source, std::string actor, bool persist,
                                         bool go_live = true);
    void remember(Record& record, const PublishReport& report);
    void handle_changed_files(const std::vector<std::filesystem::path>& files);
    // The live revision (a copy with its own counters), or the supplied source compiled and
    // contract-checked (tests not run), for dry runs.
    Result<std::shared_ptr<const CompiledPolicy>> dry_run_policy(
        std::string_view name, std::optional<std::string> source) const;
    Result<std::unique_ptr<PolicyWorker>> private_worker(
        std::shared_ptr<const CompiledPolicy> compiled) const;

    PolicyOptions options_;
    const std::uint64_t engine_id_;
    std::shared_ptr<const int> alive_token_;  // thread-local workers hold a weak_ptr to it

    // The published PolicySet. Evaluation reads only generation_ (one atomic load); a thread
    // takes snapshot_mutex_ just once after each publish, to copy the new set's pointer.
    std::atomic<std::uint64_t> generation_{0};
    mutable std::mutex snapshot_mutex_;
    std::shared_ptr<const PolicySet> published_;  // guarded by snapshot_mutex_
    std::shared_ptr<const PolicySet> published() const;

    mutable std::mutex publish_mutex_;  // guards records_ and every publish
    std::map<std::string, Record, std::less<>> records_;

    std::atomic<DecisionSink*> sink_{nullptr};

    std::mutex watcher_mutex_;
    std::unique_ptr<PolicyWatcher> watcher_;
};

}  // namespace admit::policy

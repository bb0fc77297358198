// The FakeHost class (include admit/testing/fake_host.hpp, not this file).
//
// admit::testing::FakeHost: the whole admit_host_api in memory, so a plugin's logic can be unit
// tested without admitd, PostgreSQL or Redis.
//
// What it does: loads plugin descriptors (linked in, entry function, or a .so), runs
// init/start/stop/destroy, routes test requests to registered handlers (path parameters, role
// checks, standard error bodies), connects service calls between plugins loaded in the same fake,
// delivers events published inside a fake transaction to fake subscribers on commit only, answers
// policies with test-scripted functions, and records logs, metrics, stream messages, jobs and
// migrations. db_exec and redis are answered by test-installed functions (default:
// ADMIT_E_UNSUPPORTED); real storage is tested elsewhere against real servers. Outbound HTTP
// (ABI 1.1) is answered by a test-installed function too (set_http; default: ADMIT_E_UNAVAILABLE,
// "not sent") and recorded (http_calls); emulate_abi_1_0() hands plugins a 1.0 table instead.
//
// Thread-safety: none. One test thread drives one FakeHost; plugin callbacks run on that thread.
#pragma once

#include <admit/abi.h>
#include <admit/registration_rules.hpp>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/redis.hpp>
#include <admit/sdk/result.hpp>
#include <admit/sdk/rows.hpp>
#include <admit/testing/fake_routing.hpp>
#include <admit/testing/fake_types.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::testing {

namespace detail {
struct FakeApi;
struct FakeStorageApi;
}  // namespace detail

class FakeHost {
  public:
    using PolicyFn =
        std::function<sdk::Result<boost::json::value>(const boost::json::value& input)>;
    using DbFn = std::function<sdk::Result<sdk::Rows>(const DbCall& call)>;
    /// Redis commands arrive as argv; script evals as {"EVAL", <script name>, numkeys, keys...,
    /// args...}.
    using RedisFn =
        std::function<sdk::Result<sdk::RedisReply>(const std::vector<std::string>& argv)>;
    using Headers = std::vector<std::pair<std::string, std::string>>;
    /// Answers the plugins' outbound HTTP requests (http_request); default: ADMIT_E_UNAVAILABLE
    /// ("not sent"), as a host whose upstream is unreachable.
    using HttpFn = std::function<sdk::Result<HttpAnswer>(const HttpCall& call)>;

    FakeHost();
    ~FakeHost();
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    // --- setup (before or between calls) -----------------------------------------------------
    void set_config(const std::string& plugin, boost::json::object config) {
        configs_[plugin] = std::move(config);
    }
    void set_now_us(int64_t now_us) { now_us_ = now_us; }
    void advance(std::chrono::microseconds by) { now_us_ += by.count(); }
    int64_t now_us() const { return now_us_; }
    void set_policy(const std::string& name, PolicyFn decide,
                    std::string revision = "test-revision") {
        policies_[name] = Policy{std::move(decide), std::move(revision)};
    }
    /// Declares the venue's vocabulary ([access] roles and rate categories), after which routes are
    /// checked against it exactly as admitd checks them. Until then any role or category name is
    /// accepted (a plugin's own unit tests need not repeat a venue's configuration); the rest of
    /// the registration rules (admit/registration_rules.hpp) always apply.
    void declare_access(rules::Names roles, rules::Names rate_categories) {
        rate_categories.insert("general");
        access_ = Access{std::move(roles), std::move(rate_categories)};
    }
    void set_db(DbFn answer) { db_ = std::move(answer); }
    void set_redis(RedisFn answer) { redis_ = std::move(answer); }
    void set_http(HttpFn answer) { http_ = std::move(answer); }
    /// Hands out a host function table without http_request, as an ABI 1.0 host does (size
    /// and abi_minor as 1.0's), for testing a plugin's behaviour on an older host. Before load.
    void emulate_abi_1_0();

    // --- lifecycle ----------------------------------------------------------------------------
    /// Checks the ABI version, runs init; on failure rolls back the plugin's registrations,
    /// destroys it and returns the plugin's message.
    sdk::Status load(const admit_plugin_descriptor* descriptor);
    sdk::Status load(admit_plugin_entry_fn entry) {
        return load(entry != nullptr ? entry() : nullptr);
    }
    /// dlopen(RTLD_NOW | RTLD_LOCAL) + the entry symbol; the library stays open until the fake
    /// dies.
    sdk::Status load_library(const std::string& path);
    /// Starts every loaded plugin in load order; stops at the first failure.
    sdk::Status start_all();
    /// Ends every open stream (on_close, as admitd does before it stops plugins), then stops
    /// started plugins in reverse load order.
    void stop_all();
    /// Calls the plugin's health callback; `detail` (optional) receives its text.
    sdk::Status health(const std::string& plugin, std::string* detail = nullptr);

    // --- traffic ------------------------------------------------------------------------------
    /// A request as admitd would route it: target may carry "?query"; 404 NOT_FOUND / 405 /
    /// 401 / 403 answered by the fake like the host; a failing handler without a response is 500.
    FakeResponse request(std::string_view method, std::string_view target,
                         std::string_view body = {}, const TestPrincipal& principal = {},
                         const Headers& headers = {});
    /// Calls a service method as another plugin would.
    sdk::Result<boost::json::value> call(std::string_view method, const boost::json::value& input,
                                         const TestPrincipal* caller = nullptr);
    /// Runs the registered authenticator on a bearer token.
    sdk::Result<TestPrincipal> authenticate(std::string_view token);
    /// Delivers an event to matching subscribers as if another service had published it.
    void inject_event(std::string topic, std::string key, std::string payload);
    /// Runs a registered job of `plugin` once.
    sdk::Status run_job(const std::string& plugin, const std::string& name,
                        std::string_view payload = {});
    /// Runs every enqueued job whose time has come (by the fake clock); returns how many ran.
    std::size_t run_due_jobs();
    /// Opens an SSE stream route: returns the first event written by on_open ("" when none).
    /// An accepted stream stays open, as a connected client's, until close_stream() or
    /// stop_all(), which report its end to the plugin's on_close once (ABI 1.3).
    sdk::Result<std::string> open_stream(std::string_view path,
                                         const TestPrincipal& principal = {});
    /// Ends the oldest open stream on `path` of `principal` (the client went away): calls the
    /// route's on_close with the opening request's view. False when no such stream is open.
    bool close_stream(std::string_view path, const TestPrincipal& principal = {});
    /// Streams opened and not yet closed.
    std::size_t open_stream_count() const { return open_streams_.size(); }

    // --- observation --------------------------------------------------------------------------
    const std::vector<LogLine>& logs() const { return logs_; }
    bool logged(std::string_view fragment) const {
        return std::any_of(logs_.begin(), logs_.end(), [&](const LogLine& l) {
            return l.message.find(fragment) != std::string::npos;
        });
    }
    /// Counter/gauge value or histogram sum; nullopt when not registered.
    std::optional<double> metric(std::string_view plugin, std::string_view name,
                                 std::string_view labels = {}) const {
        for (const auto& m : metrics_) {
            if (m->slot->name == plugin && m->name == name && m->labels == labels) return m->value;
        }
        return std::nullopt;
    }
    const std::vector<PublishedEvent>& committed_events() const { return committed_events_; }
    const std::vector<FailedDelivery>& failed_deliveries() const { return failed_deliveries_; }
    const std::vector<StreamMessage>& stream_messages() const { return stream_messages_; }
    const std::vector<EnqueuedJob>& enqueued_jobs() const { return enqueued_jobs_; }
    const std::vector<RegisteredMigration>& migrations() const { return migrations_; }
    /// Every outbound HTTP request the plugins sent, in order.
    const std::vector<HttpCall>& http_calls() const { return http_calls_; }
    std::vector<RegisteredRoute> routes() const {
        std::vector<RegisteredRoute> out;
        for (const auto& r : routes_) out.push_back(r.info);
        return out;
    }
    bool has_service(std::string_view method) const {
        return services_.count(std::string(method)) != 0;
    }
    bool has_authenticator() const { return authenticator_.has_value(); }

  private:
    friend struct detail::FakeApi;
    friend struct detail::FakeStorageApi;

    struct Slot {
        FakeHost* fake = nullptr;
        std::string name;
        const admit_plugin_descriptor* descriptor = nullptr;
        void* instance = nullptr;
        bool initializing = false;
        bool started = false;
    };
    struct Route {
        Slot* slot;
        RegisteredRoute info;
        admit_route_fn handler;
        void* ctx;
    };
    struct Stream {
        Slot* slot;
        std::string path;
        std::string roles;
        std::string topic_template;
        admit_stream_open_fn on_open;
        admit_stream_close_fn on_close;  ///< null: none, or a host older than 1.3 is emulated
        void* ctx;
    };
    /// An accepted stream, with what its on_close needs.
    struct OpenStream {
        Slot* slot;
        admit_stream_close_fn on_close;
        void* ctx;
        std::string path;
        std::vector<std::pair<std::string, std::string>> params;
        TestPrincipal principal;
    };
    void report_close(const OpenStream& stream);
    struct Service {
        Slot* slot;
        admit_service_fn fn;
        void* ctx;
    };
    struct Subscription {
        Slot* slot;
        std::string topic;
        std::string subscriber;
        admit_event_fn handler;
        void* ctx;
        uint32_t flags;  ///< ADMIT_SUBSCRIPTION_* (ABI 1.5)
    };
    struct Job {
        Slot* slot;
        std::string name;
        uint64_t interval_ms;
        admit_job_fn run;
        void* ctx;
    };
    struct Metric {
        Slot* slot;
        uint32_t kind;  ///< ADMIT_METRIC_*
        std::string name;
        std::string labels;
        double value = 0;
        uint64_t observations = 0;
    };
    struct Script {
        Slot* slot;
        std::string name;
    };
    struct Authenticator {
        Slot* slot;
        admit_authenticate_fn fn;
        void* ctx;
    };
    struct Policy {
        PolicyFn decide;
        std::string revision;
    };
    /// A fake transaction: events and jobs wait here until commit.
    struct Tx {
        Slot* slot;
        std::vector<PublishedEvent> events;
        std::vector<EnqueuedJob> jobs;
        std::vector<std::pair<admit_commit_fn, void*>> on_commit = {};
        std::vector<std::pair<admit_tx_fn, void*>> before_commit = {};
        /// Runs the tx_before_commit work in registration order (work may add work), as admitd
        /// does after the body or handler returned OK; the first non-OK status is returned and
        /// the rest dropped.
        admit_status run_before_commit() {
            for (std::size_t i = 0; i < before_commit.size(); ++i) {
                const auto [fn, ctx] = before_commit[i];  // a copy: fn may append
                const admit_status status = fn(ctx, reinterpret_cast<admit_tx*>(this));
                if (status != ADMIT_OK) {
                    before_commit.clear();
                    return status;
                }
            }
            before_commit.clear();
            return ADMIT_OK;
        }
        /// Calls every on_commit registration once, as admitd does after COMMIT or ROLLBACK.
        void finish(bool committed) {
            auto pending = std::move(on_commit);
            on_commit.clear();
            for (const auto& [fn, ctx] : pending) fn(ctx, committed ? 1 : 0);
        }
    };

    static Slot* slot_of(admit_host* host) { return reinterpret_cast<Slot*>(host); }
    static admit_host* host_of(Slot* slot) { return reinterpret_cast<admit_host*>(slot); }

    void roll_back_registrations(Slot* slot);
    void destroy(Slot& slot);
    /// Commits a transaction's outbox and delivers its events (and their follow-ups) to
    /// subscribers.
    void commit(Tx& tx);
    void deliver_pending();
    std::string next_id(std::string_view prefix) {
        return std::string(prefix) + "-" + std::to_string(++sequence_);
    }

    admit_host_api api_{};
    int64_t now_us_ = 1'700'000'000'000'000;
    uint64_t sequence_ = 0;
    struct Access {
        rules::Names roles;
        rules::Names rate_categories;
    };
    std::optional<Access> access_;
    std::map<std::string, boost::json::object> configs_;
    std::map<std::string, Policy> policies_;
    DbFn db_;
    RedisFn redis_;
    HttpFn http_;
    std::vector<HttpCall> http_calls_;

    std::vector<std::unique_ptr<Slot>> slots_;
    std::vector<void*> libraries_;
    std::vector<Route> routes_;
    std::vector<Stream> streams_;
    std::vector<OpenStream> open_streams_;
    std::map<std::string, Service> services_;
    std::vector<Subscription> subscriptions_;
    std::vector<Job> jobs_;
    std::vector<std::unique_ptr<Metric>> metrics_;
    std::vector<Script> scripts_;
    std::optional<Authenticator> authenticator_;

    std::vector<LogLine> logs_;
    std::vector<PublishedEvent> committed_events_;
    std::deque<PublishedEvent> pending_events_;
    bool delivering_ = false;
    std::vector<FailedDelivery> failed_deliveries_;
    std::vector<StreamMessage> stream_messages_;
    std::vector<EnqueuedJob> enqueued_jobs_;
    std::vector<RegisteredMigration> migrations_;
};

}  // namespace admit::testing

// Host: the idiomatic C++ face of admit_host_api for one plugin instance.
//
// Lifetime: created by the SDK before Plugin::init and destroyed after Plugin is destroyed; every
// handler registered through it stays alive as long as the Host. Registration functions ([init])
// are only valid during Plugin::init (the host answers ADMIT_E_STATE afterwards) and are not
// thread-safe; everything else is thread-safe as the host functions are.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/bindings.hpp>
#include <admit/sdk/db.hpp>
#include <admit/sdk/http_client.hpp>
#include <admit/sdk/metric.hpp>
#include <admit/sdk/migrations.hpp>
#include <admit/sdk/redis.hpp>
#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace admit::sdk {

/// Optional parts of a route registration.
struct RouteOptions {
    std::string rate_category = {};  ///< "auth", "queue", "booking", "general" (empty = general)
    std::string summary = {};        ///< one line for /openapi.json
    /// The handler makes Idempotency-Key replays idempotent itself (durably), so the host's
    /// generic replay guard is skipped for this route.
    bool own_idempotency = false;
    /// ABI 1.2: the route's operationId (unique across the host; empty: derived from the path)
    /// and its contract, JSON text as admit_route_desc.contract describes (query, request,
    /// response, errors). The host validates requests against it and documents it.
    std::string operation_id = {};
    std::string contract = {};
};

/// Optional parts of a subscription.
struct SubscribeOptions {
    /// ABI 1.5: people wait to see the subscriber's effect (a seat map's stream after a hold), so
    /// the host delivers its events at request priority instead of in the background
    /// (ADMIT_SUBSCRIPTION_INTERACTIVE). A priority, not a guarantee: a host older than 1.5 does
    /// not read it and delivers in the background.
    bool interactive = false;
};

/// The contract of an SSE stream (ABI 1.2): as RouteOptions, without a request body.
struct StreamContract {
    std::string operation_id = {};
    std::string contract = {};
};

/// The answer of a policy evaluation.
struct PolicyDecision {
    boost::json::value decision;
    std::string revision;
};

class Host {
  public:
    Host(const admit_host_api* api, admit_host* host, std::string plugin_name,
         const EmbeddedMigrations* migrations = nullptr)
        : handle_{api, host},
          plugin_name_(std::move(plugin_name)),
          migrations_(migrations),
          db_(handle_),
          redis_(handle_) {}
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    const std::string& plugin_name() const noexcept { return plugin_name_; }
    const admit_host_api* api() const noexcept { return handle_.api; }
    admit_host* raw() const noexcept { return handle_.host; }
    HostHandle handle() const noexcept { return handle_; }

    // --- config, logging, clock ---------------------------------------------------------------

    /// This plugin's config section (an empty object when absent or unparsable).
    boost::json::object config() const {
        StringSink out;
        handle_.api->config_json(handle_.host, out.get());
        boost::system::error_code ec;
        auto value = boost::json::parse(out.text(), ec);
        if (ec || !value.is_object()) return {};
        return std::move(value.as_object());
    }
    std::string config_string(std::string_view key, std::string fallback) const {
        const auto section = config();
        const auto* value = section.if_contains(key);
        return (value && value->is_string()) ? std::string(value->as_string()) : fallback;
    }
    int64_t config_int(std::string_view key, int64_t fallback) const {
        const auto section = config();
        const auto* value = section.if_contains(key);
        return (value && value->is_int64()) ? value->as_int64() : fallback;
    }

    /// level: ADMIT_LOG_TRACE ... ADMIT_LOG_ERROR.
    void log(int32_t level, std::string_view message) const noexcept {
        handle_.api->log(handle_.host, level, to_abi(message));
    }
    /// host.info("loaded ", count, " halls"): the parts are streamed together.
    template <class... Parts>
    void trace(const Parts&... parts) const {
        log(ADMIT_LOG_TRACE, concat(parts...));
    }
    template <class... Parts>
    void debug(const Parts&... parts) const {
        log(ADMIT_LOG_DEBUG, concat(parts...));
    }
    template <class... Parts>
    void info(const Parts&... parts) const {
        log(ADMIT_LOG_INFO, concat(parts...));
    }
    template <class... Parts>
    void warn(const Parts&... parts) const {
        log(ADMIT_LOG_WARN, concat(parts...));
    }
    template <class... Parts>
    void error(const Parts&... parts) const {
        log(ADMIT_LOG_ERROR, concat(parts...));
    }

    /// Unix microseconds from the host clock.
    int64_t now_us() const noexcept { return handle_.api->now_us(handle_.host); }
    std::chrono::system_clock::time_point now() const noexcept {
        return std::chrono::system_clock::time_point(std::chrono::microseconds(now_us()));
    }

    // --- HTTP ---------------------------------------------------------------------------------

    /// Registers a route. roles: "public", "authenticated" or a comma-separated role list. [init]
    Status route(std::string_view method, std::string_view path, std::string_view roles,
                 RouteHandler handler, const RouteOptions& options = {}) {
        auto binding = keep(detail::RouteBinding{
            handle_, std::string(method) + " " + std::string(path), std::move(handler)});
        admit_route_desc desc{};
        desc.size = sizeof desc;
        desc.method = to_abi(method);
        desc.path = to_abi(path);
        desc.roles = to_abi(roles);
        desc.rate_category = to_abi(options.rate_category);
        desc.summary = to_abi(options.summary);
        desc.flags =
            options.own_idempotency ? static_cast<uint32_t>(ADMIT_ROUTE_OWN_IDEMPOTENCY) : 0u;
        desc.operation_id = to_abi(options.operation_id);
        desc.contract = to_abi(options.contract);
        desc.handler = &detail::RouteBinding::call;
        desc.ctx = binding;
        StringSink error;
        return status_of(handle_.api->route_register(handle_.host, &desc, error.get()), error);
    }
    /// Member-function handler: host.route("GET", "/x", "public", &MyPlugin::get_x, this).
    template <class Owner>
    Status route(std::string_view method, std::string_view path, std::string_view roles,
                 Response (Owner::*handler)(const Request&), Owner* owner,
                 const RouteOptions& options = {}) {
        return route(
            method, path, roles,
            [owner, handler](const Request& r) { return (owner->*handler)(r); }, options);
    }

    /// Registers a server-sent event stream on `topic_template` ("seats:{scheduleId}"); on_open
    /// (optional) returns the data of the initial "snapshot" event. on_close (optional, ABI 1.3)
    /// hears once of the end of every stream that on_open accepted, however it ends (see
    /// StreamCloseHandler and admit_stream_close_fn); a host older than 1.3 never calls it. [init]
    Status stream(std::string_view path, std::string_view roles, std::string_view topic_template,
                  std::string_view summary, StreamOpenHandler on_open = {},
                  const StreamContract& contract = {}, StreamCloseHandler on_close = {}) {
        const bool has_open = static_cast<bool>(on_open);
        const bool has_close = static_cast<bool>(on_close);
        auto binding = keep(detail::StreamBinding{handle_, std::string(path), std::move(on_open),
                                                  std::move(on_close)});
        admit_stream_desc desc{};
        desc.size = sizeof desc;
        desc.path = to_abi(path);
        desc.roles = to_abi(roles);
        desc.topic_template = to_abi(topic_template);
        desc.summary = to_abi(summary);
        desc.on_open = has_open ? &detail::StreamBinding::call : nullptr;
        desc.ctx = binding;
        desc.operation_id = to_abi(contract.operation_id);
        desc.contract = to_abi(contract.contract);
        desc.on_close = has_close ? &detail::StreamBinding::close : nullptr;
        StringSink error;
        return status_of(handle_.api->stream_register(handle_.host, &desc, error.get()), error);
    }
    /// Sends an SSE event to every open stream of `topic`. `id` (optional) becomes the message's
    /// id, which a reconnecting client sends back as Last-Event-ID.
    void publish_stream(std::string_view topic, std::string_view event_name,
                        const boost::json::value& data, std::string_view id = {}) const {
        const std::string text = boost::json::serialize(data);
        admit_stream_event event{};
        event.size = sizeof event;
        event.topic = to_abi(topic);
        event.event_name = to_abi(event_name);
        event.data = to_abi(text);
        event.id = to_abi(id);
        handle_.api->stream_publish(handle_.host, &event);
    }

    /// Registers the authenticator (at most one plugin does). Return ADMIT_E_REJECTED for an
    /// invalid token. [init]
    Status authenticator(Authenticator authenticate) {
        auto binding = keep(detail::AuthenticatorBinding{handle_, std::move(authenticate)});
        admit_authenticator_desc desc{};
        desc.size = sizeof desc;
        desc.authenticate = &detail::AuthenticatorBinding::call;
        desc.ctx = binding;
        StringSink error;
        return status_of(handle_.api->authenticator_register(handle_.host, &desc, error.get()),
                         error);
    }

    // --- storage ------------------------------------------------------------------------------

    Database& db() noexcept { return db_; }
    Redis& redis() noexcept { return redis_; }

    /// Registers every migration embedded by admit_add_plugin(... MIGRATIONS dir). [init]
    /// ADMIT_E_NOT_FOUND when the library embeds none.
    Status register_migrations() {
        if (migrations_ == nullptr || migrations_->count == 0) {
            return Error::not_found("plugin " + plugin_name_ +
                                    " embeds no migrations (admit_add_plugin MIGRATIONS)");
        }
        for (std::size_t i = 0; i < migrations_->count; ++i) {
            const auto& m = migrations_->items[i];
            if (auto status = db_.migration(m.version, m.name, std::string_view(m.sql, m.sql_size));
                !status) {
                return status;
            }
        }
        return {};
    }
    const EmbeddedMigrations* embedded_migrations() const noexcept { return migrations_; }

    // --- events -------------------------------------------------------------------------------

    /// Subscribes `handler` to `topic` (exact, or a prefix ending in '*'). The handler runs inside
    /// a transaction; return ok to commit, an Error (or throw) to roll back and retry later. [init]
    Status subscribe(std::string_view topic, std::string_view subscriber, Subscriber handler,
                     SubscribeOptions options = {}) {
        auto binding = keep(detail::SubscriberBinding{handle_, std::move(handler)});
        admit_subscription_desc desc{};
        desc.size = sizeof desc;
        desc.topic = to_abi(topic);
        desc.subscriber = to_abi(subscriber);
        desc.handler = &detail::SubscriberBinding::call;
        desc.ctx = binding;
        desc.flags = options.interactive ? ADMIT_SUBSCRIPTION_INTERACTIVE : 0u;
        StringSink error;
        return status_of(handle_.api->event_subscribe(handle_.host, &desc, error.get()), error);
    }

    // --- service calls ------------------------------------------------------------------------

    /// Offers `method` ("hello.greet") to other plugins. Empty input arrives as JSON null. [init]
    Status provide(std::string_view method, ServiceMethod handler) {
        auto binding = keep(detail::ServiceBinding{handle_, std::move(handler)});
        admit_service_desc desc{};
        desc.size = sizeof desc;
        desc.method = to_abi(method);
        desc.fn = &detail::ServiceBinding::call;
        desc.ctx = binding;
        StringSink error;
        return status_of(handle_.api->service_register(handle_.host, &desc, error.get()), error);
    }

    /// Calls another plugin's method on behalf of `caller` (default: no principal).
    Result<boost::json::value> call(std::string_view method, const boost::json::value& input,
                                    Principal caller = Principal{}) const {
        const std::string text = boost::json::serialize(input);
        StringSink output;
        StringSink error;
        const admit_status status = handle_.api->service_call(
            handle_.host, to_abi(method), caller.raw(), to_abi(text), output.get(), error.get());
        if (status != ADMIT_OK) return Status::from(status, error.take()).error();
        if (output.text().empty()) return boost::json::value{};
        return parse_json(output.text(), "output of " + std::string(method));
    }

    // --- outbound HTTP -------------------------------------------------------------------------

    /// Sends an HTTP(S) request through the host (ABI 1.1; see admit/sdk/http_client.hpp for how
    /// to read a failure). Blocks this thread at most the request's bounded deadline.
    Result<HttpResponse> http(const HttpRequest& request) const {
        return http_call(handle_, request);
    }

    // --- policies -----------------------------------------------------------------------------

    Result<PolicyDecision> policy(std::string_view name, const boost::json::value& input) const {
        if (!ADMIT_HOST_OFFERS(handle_.api, policy_eval))
            return Error::unsupported("host offers no policy_eval");
        const std::string text = boost::json::serialize(input);
        StringSink decision;
        StringSink revision;
        StringSink error;
        const admit_status status = handle_.api->policy_eval(
            handle_.host, to_abi(name), to_abi(text), decision.get(), revision.get(), error.get());
        if (status != ADMIT_OK) return Status::from(status, error.take()).error();
        auto parsed = parse_json(decision.text(), "decision of policy " + std::string(name));
        if (!parsed) return std::move(parsed).error();
        return PolicyDecision{std::move(*parsed), revision.take()};
    }

    // --- jobs ---------------------------------------------------------------------------------

    /// A job that runs every `interval` (on one host at a time). [init]
    Status periodic_job(std::string_view name, std::chrono::milliseconds interval,
                        std::function<Status()> run) {
        if (interval.count() <= 0)
            return Error::invalid("periodic job " + std::string(name) + " needs an interval > 0");
        return register_job(name, static_cast<uint64_t>(interval.count()),
                            [run = std::move(run)](std::string_view) { return run(); });
    }
    /// A job that runs only when enqueued, with the enqueued payload. [init]
    Status delayed_job(std::string_view name, JobHandler run) {
        return register_job(name, 0, std::move(run));
    }
    /// Enqueues a run of job `name` at `run_at_us` (outside a transaction; see Tx::enqueue).
    Status enqueue(std::string_view name, int64_t run_at_us, std::string_view payload = {}) {
        return detail::enqueue_job(handle_, nullptr, name, run_at_us, payload);
    }

    // --- metrics ------------------------------------------------------------------------------

    /// Prometheus name admit_<plugin>_<name>; labels rendered as given ("grade=\"VIP\""). [init]
    /// A metric the host refuses is an Error naming the reason (and a Metric that records nothing
    /// is never handed out silently).
    Result<Metric> counter(std::string_view name, std::string_view help,
                           std::string_view labels = {}) {
        return metric(ADMIT_METRIC_COUNTER, name, help, labels, {});
    }
    Result<Metric> gauge(std::string_view name, std::string_view help,
                         std::string_view labels = {}) {
        return metric(ADMIT_METRIC_GAUGE, name, help, labels, {});
    }
    /// buckets: upper bounds, strictly increasing; empty = default latency buckets (seconds).
    Result<Metric> histogram(std::string_view name, std::string_view help,
                             std::string_view labels = {}, std::vector<double> buckets = {}) {
        return metric(ADMIT_METRIC_HISTOGRAM, name, help, labels, buckets);
    }

  private:
    template <class... Parts>
    static std::string concat(const Parts&... parts) {
        std::ostringstream out;
        (out << ... << parts);
        return out.str();
    }

    /// Stores a binding for the Host's lifetime and returns its stable address (the host's ctx).
    template <class Binding>
    Binding* keep(Binding binding) {
        auto owned = std::make_shared<Binding>(std::move(binding));
        bindings_.push_back(owned);
        return owned.get();
    }

    Status register_job(std::string_view name, uint64_t interval_ms, JobHandler run) {
        auto binding = keep(detail::JobBinding{handle_, std::move(run)});
        admit_job_desc desc{};
        desc.size = sizeof desc;
        desc.name = to_abi(name);
        desc.interval_ms = interval_ms;
        desc.run = &detail::JobBinding::call;
        desc.ctx = binding;
        StringSink error;
        return status_of(handle_.api->job_register(handle_.host, &desc, error.get()), error);
    }

    Result<Metric> metric(uint32_t kind, std::string_view name, std::string_view help,
                          std::string_view labels, const std::vector<double>& buckets) {
        admit_metric_desc desc{};
        desc.size = sizeof desc;
        desc.kind = kind;
        desc.name = to_abi(name);
        desc.help = to_abi(help);
        desc.labels = to_abi(labels);
        desc.buckets = buckets.empty() ? nullptr : buckets.data();
        desc.bucket_count = static_cast<uint32_t>(buckets.size());
        admit_metric* raw = nullptr;
        StringSink error;
        const admit_status status =
            handle_.api->metric_register(handle_.host, &desc, &raw, error.get());
        if (status != ADMIT_OK) return Status::from(status, error.take()).error();
        return Metric(handle_.api, raw);
    }

    HostHandle handle_;
    std::string plugin_name_;
    const EmbeddedMigrations* migrations_;
    Database db_;
    Redis redis_;
    std::vector<std::shared_ptr<void>> bindings_;
};

}  // namespace admit::sdk

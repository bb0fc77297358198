// HostConfig: the typed, validated configuration of one admitd process (host defaults merged with
// one venue file and environment overrides). Plain values with the documented defaults; produced by
// admit::config::load (config_loader.hpp). Every path in here is absolute and normalised.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admit::config {

enum class LogLevel { trace, debug, info, warn, error };
enum class LogFormat { text, json };
enum class EventsBackend { inproc, kafka };

// Lower-case names as written in TOML ("warn", "json", "kafka"); spdlog accepts the level names.
std::string_view to_string(LogLevel level);
std::string_view to_string(LogFormat format);
std::string_view to_string(EventsBackend backend);

struct VenueConfig {
    std::string id;  // required, [a-z0-9-]+
    std::string name;
    std::string currency = "KRW";  // ISO 4217 code
    std::string timezone = "UTC";  // IANA zone name
};

// [server.cors]: cross-origin access for browser clients served from another origin. Off (no
// allowed origin) by default: the web app is served same-origin.
struct CorsConfig {
    std::vector<std::string> allowed_origins;  // exact origins ("https://shop.example"); no "*"
    std::vector<std::string> allowed_headers{"Authorization", "Content-Type",  "Idempotency-Key",
                                             "X-Entry-Token", "Last-Event-ID", "X-Request-Id",
                                             "traceparent"};
    std::vector<std::string> exposed_headers{"X-Trace-Id", "Retry-After", "Idempotent-Replayed",
                                             "ETag", "Location"};
    std::uint32_t max_age_seconds = 600;  // how long a browser may cache a preflight answer
};

// [server.session_cookies]: browser sessions kept in HttpOnly cookies instead of script-readable
// storage. Off (no access cookie) by default. The dispatcher reads the access token from the
// `access_token` cookie when a request has no Authorization header, and refuses (403) a request
// that changes state (not GET/HEAD/OPTIONS), carries any of these cookies and no bearer token, and
// whose Origin is neither the request's own (scheme://Host) nor a trusted origin: CSRF.
struct SessionCookieConfig {
    std::string access_token;                  // cookie name ("__Host-admit_at"); empty: off
    std::vector<std::string> guarded;          // other session cookies ("__Secure-admit_rt")
    std::vector<std::string> trusted_origins;  // exact origins besides the request's own
};

struct ServerConfig {
    std::string address = "127.0.0.1";  // IPv4 or IPv6 literal to bind
    std::uint16_t port = 8080;          // 0 = ephemeral
    std::uint32_t io_threads = 0;       // 0 = one per core
    std::uint32_t workers = 16;
    std::uint32_t queue_limit = 1024;  // handler jobs waiting for a worker before 503
    std::uint64_t body_limit_bytes = 1024 * 1024;
    std::uint64_t header_limit_bytes = 16 * 1024;
    std::uint64_t target_limit_bytes = 8 * 1024;  // longer request target -> 414
    std::uint32_t request_timeout_ms = 10000;
    std::uint32_t idle_timeout_ms = 60000;
    std::uint32_t shutdown_grace_ms = 10000;
    std::uint32_t retry_after_seconds = 1;
    std::uint32_t max_connections = 20000;          // open connections in all (0: unbounded)
    std::uint32_t max_connections_per_ip = 1024;    // per client IPv4 / IPv6 /64 (0: unbounded)
    std::uint32_t max_streams_per_ip = 64;          // open SSE streams per client (0: unbounded)
    std::uint32_t stream_heartbeat_ms = 15000;      // ": heartbeat" on idle SSE streams
    std::uint32_t stream_write_timeout_ms = 10000;  // a stalled SSE write is cut after this
    std::uint32_t stream_max_lifetime_s = 3600;     // streams end then; clients resume
    // Peers (CIDRs) whose Forwarded / X-Forwarded-For names the client; empty: none.
    std::vector<std::string> trusted_proxies;
    CorsConfig cors;
    SessionCookieConfig session_cookies;
};

struct LogConfig {
    LogLevel level = LogLevel::info;
    LogFormat format = LogFormat::text;
};

struct PluginsConfig {
    std::filesystem::path dir;      // empty when no file set it (then `load` must be empty)
    std::vector<std::string> load;  // in load order; unique, [a-z][a-z0-9_]*
    // [plugins.requires]: plugin -> the plugins whose services it calls. A loaded plugin whose
    // provider this instance does not load is refused at start (host/plugins/required_providers).
    std::map<std::string, std::vector<std::string>> required_providers;
    // Library file of a plugin: <dir>/<name>.so.
    std::filesystem::path library_path(std::string_view name) const;
};

struct DatabaseConfig {
    bool enabled = true;  // false: no PostgreSQL (plugins needing it refuse to initialize)
    std::string url = "postgresql://admit@127.0.0.1:55432/admit";  // libpq URI; may hold a password
    std::uint32_t pool_size = 16;
    std::uint32_t connect_timeout_ms = 3000;
    std::uint32_t statement_timeout_ms = 5000;  // 0 = no limit
    // At start, how long to keep trying a PostgreSQL that does not answer yet (restarting,
    // recovering, failing over) before admitd gives up; 0 = one attempt.
    std::uint32_t startup_wait_ms = 30000;
};

struct RedisConfig {
    bool enabled = true;  // false: no Redis (plugins needing it refuse to initialize)
    std::string host = "127.0.0.1";
    std::uint16_t port = 56379;
    std::uint32_t pool_size = 4;  // pipelined connections, each with its own I/O thread
    std::uint32_t timeout_ms = 2000;
    std::uint32_t startup_wait_ms = 30000;  // as DatabaseConfig::startup_wait_ms
    // Redis 6 ACL user to AUTH as (empty: the default user). The password is a secret and comes
    // only from the environment (ADMIT_REDIS_PASSWORD), never from the venue file.
    std::string user;
    std::optional<std::string> password;  // secret: never logged (see describe)
};

struct KafkaConfig {
    std::string brokers;  // "host:port,host:port"; required when backend is kafka
    std::string topic_prefix = "admit.";
    std::map<std::string, std::string> properties;  // handed to librdkafka as-is
};

struct EventsConfig {
    EventsBackend backend = EventsBackend::inproc;
    std::uint32_t relay_batch = 256;
    std::uint32_t relay_poll_ms = 50;
    std::uint32_t delivery_poll_ms = 1000;
    std::uint32_t background_nice = 10;  // nice value of relay/delivery threads (0: unchanged)
    std::uint32_t max_attempts = 8;
    std::uint32_t backoff_initial_ms = 100;
    std::uint32_t backoff_max_ms = 60000;
    KafkaConfig kafka;
};

struct PoliciesConfig {
    std::filesystem::path dir;  // default: "../../policies" relative to the venue file
    std::map<std::string, std::filesystem::path> overrides;  // policy name -> .lua file
    std::uint64_t instruction_budget = 1'000'000;
    std::uint64_t memory_limit_bytes = 4 * 1024 * 1024;
    std::uint32_t deadline_ms = 50;
    // Memory a worker's Lua state may keep across calls beyond its baseline; past it the state is
    // collected and, if still over, rebuilt from the live revisions.
    std::uint64_t retained_memory_bytes = 16 * 1024 * 1024;
    // With a database: a published revision waits for a second person's (admin) approval.
    bool require_approval = false;
    // The role that may publish, roll back and shadow-run policies (besides the admin role).
    std::string editor_role = "policy_editor";
    // How often a host re-reads the live revisions when it heard no notification (catch-up).
    std::uint32_t sync_poll_ms = 5000;
    // Decision log: recorded decisions are kept this long; at most sample_per_second decisions
    // per policy and host are sampled (decisions that set money or time are always recorded).
    std::uint32_t decision_retention_days = 7;
    std::uint32_t decision_sample_per_second = 20;
};

struct JobsConfig {
    std::uint32_t poll_ms = 200;
};

// [outbound]: the host's HTTP(S) client for plugins (admit_host_api.http_request). A plugin call
// blocks its thread at most max_attempts * (connect + read timeout) + the backoffs.
struct OutboundConfig {
    std::uint32_t connect_timeout_ms = 2000;  // default per request
    std::uint32_t read_timeout_ms = 10000;    // default per request (write to last byte)
    std::uint32_t max_timeout_ms = 30000;     // caps a request's connect and read timeouts
    std::uint32_t max_attempts = 3;           // default and cap; only idempotent requests retry
    std::uint32_t retry_backoff_ms = 100;     // before the second attempt, doubling
    std::uint32_t max_idle_per_upstream = 16;
    std::uint32_t idle_keepalive_ms = 30000;
    std::uint64_t max_response_bytes = 1024 * 1024;
    bool verify_tls = true;
    std::filesystem::path ca_file;  // extra trusted CAs (PEM); empty: the system store only
    // Circuit breaker per upstream (URR's numbers).
    std::uint32_t breaker_window = 10;
    std::uint32_t breaker_failure_percent = 50;
    std::uint32_t breaker_slow_percent = 80;
    std::uint32_t breaker_slow_call_ms = 3000;
    std::uint32_t breaker_open_ms = 10000;
    std::uint32_t breaker_half_open_calls = 3;
};

// [access]: the vocabulary of who may call what. The host knows no role or rate category by
// meaning: a venue declares them, and a route naming one that is not declared is refused at
// registration.
struct AccessConfig {
    std::vector<std::string> roles;                       // role names a principal may carry
    std::vector<std::string> rate_categories{"general"};  // "general" is always declared
    std::string admin_role = "admin";                     // who may call the host's admin routes
};

struct TestingConfig {
    // Tests drive the host clock. Refused unless the venue id is "test" or "test-..." or
    // test_run says this is a test: a production venue must never have a clock anyone can move.
    bool manual_clock = false;
    bool test_run = false;
    // Every success response of a route with a contract is checked against its documented
    // response schema; a mismatch becomes 500 RESPONSE_CONTRACT_VIOLATION (for test suites).
    bool check_responses = false;
};

struct HostConfig {
    std::filesystem::path venue_file;  // the file given to --config
    std::optional<std::filesystem::path>
        defaults_file;  // the host defaults merged under it, if any
    VenueConfig venue;
    ServerConfig server;
    LogConfig log;
    PluginsConfig plugins;
    // [plugin.<name>] of each loaded plugin that has one, as a compact JSON object. Path keys (a
    // top-level string whose key ends in _dir, _file or _path) hold absolute paths: a relative one
    // was resolved against the directory of the file that set it, as plugins.dir is.
    std::map<std::string, std::string> plugin_sections_json;
    DatabaseConfig database;
    RedisConfig redis;
    EventsConfig events;
    PoliciesConfig policies;
    JobsConfig jobs;
    OutboundConfig outbound;
    AccessConfig access;
    TestingConfig testing;
};

}  // namespace admit::config

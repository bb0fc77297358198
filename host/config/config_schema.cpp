#include "host/config/config_schema.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <system_error>

namespace admit::config {
namespace {

constexpr std::int64_t kMaxMs = 24LL * 3600 * 1000;  // a day: anything longer is a mistake
constexpr std::int64_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = 1024 * kKiB;
constexpr std::int64_t kGiB = 1024 * kMiB;

bool all_of(std::string_view text, bool (*allowed)(char)) {
    return !text.empty() && std::all_of(text.begin(), text.end(), allowed);
}
bool is_lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

bool is_venue_id(std::string_view id) {
    return all_of(id, [](char c) { return is_lower_or_digit(c) || c == '-'; });
}

bool is_policy_name(std::string_view name) {
    return !name.empty() && name[0] >= 'a' && name[0] <= 'z' &&
           all_of(name, [](char c) { return is_lower_or_digit(c) || c == '_' || c == '-'; });
}

// An IANA name such as "Asia/Seoul". When this machine has a tz database, the zone must be in it.
bool is_known_timezone(std::string_view zone) {
    if (zone == "UTC") return true;
    const bool shaped = all_of(zone, [](char c) {
        return is_lower_or_digit(c) || is_upper(c) || c == '/' || c == '_' || c == '-' || c == '+';
    });
    if (!shaped || zone.front() == '/' || zone.find("..") != std::string_view::npos) return false;
    const std::filesystem::path database = "/usr/share/zoneinfo";
    std::error_code error;
    if (!std::filesystem::is_directory(database, error)) return true;
    return std::filesystem::is_regular_file(database / zone, error);
}

void read_venue(TableReader& root, HostConfig& config) {
    TableReader venue = root.child("venue");
    if (venue.read("id", config.venue.id)) {
        if (!is_venue_id(config.venue.id))
            venue.report(*venue.take("id"), "venue.id",
                         "\"" + config.venue.id +
                             "\" is not a venue id (lower-case letters, digits and '-')");
    } else if (venue.take("id") == nullptr) {
        venue.report_missing("id", "required key is missing");
    }
    venue.read("name", config.venue.name);
    if (venue.read("currency", config.venue.currency) &&
        !(config.venue.currency.size() == 3 && all_of(config.venue.currency, is_upper)))
        venue.report(*venue.take("currency"), "venue.currency",
                     "\"" + config.venue.currency +
                         "\" is not an ISO 4217 currency code (three capital letters)");
    if (venue.read("timezone", config.venue.timezone) && !is_known_timezone(config.venue.timezone))
        venue.report(*venue.take("timezone"), "venue.timezone",
                     "\"" + config.venue.timezone + "\" is not a known IANA time zone");
    venue.finish();
}

void read_server(TableReader& root, ServerConfig& server) {
    TableReader table = root.child("server");
    if (table.read("address", server.address) && !is_ip_address(server.address))
        table.report(*table.take("address"), "server.address",
                     "\"" + server.address + "\" is not an IPv4 or IPv6 address");
    table.read_integer("port", server.port, 0, 65535);
    table.read_integer("io_threads", server.io_threads, 0, 256);
    table.read_integer("workers", server.workers, 1, 1024);
    table.read_integer("queue_limit", server.queue_limit, 1, 1'000'000);
    table.read_integer("body_limit_bytes", server.body_limit_bytes, 1, kGiB);
    table.read_integer("header_limit_bytes", server.header_limit_bytes, kKiB, kMiB);
    table.read_integer("target_limit_bytes", server.target_limit_bytes, 64, kMiB);
    table.read_integer("request_timeout_ms", server.request_timeout_ms, 1, kMaxMs);
    table.read_integer("idle_timeout_ms", server.idle_timeout_ms, 1, kMaxMs);
    table.read_integer("shutdown_grace_ms", server.shutdown_grace_ms, 0, kMaxMs);
    table.read_integer("retry_after_seconds", server.retry_after_seconds, 0, 3600);
    table.read_integer("max_connections", server.max_connections, 0, 10'000'000);
    table.read_integer("max_connections_per_ip", server.max_connections_per_ip, 0, 10'000'000);
    table.read_integer("max_streams_per_ip", server.max_streams_per_ip, 0, 10'000'000);
    table.read_integer("stream_heartbeat_ms", server.stream_heartbeat_ms, 100, kMaxMs);
    table.read_integer("stream_write_timeout_ms", server.stream_write_timeout_ms, 100, kMaxMs);
    table.read_integer("stream_max_lifetime_s", server.stream_max_lifetime_s, 1, 7 * 86400);
    table.read_strings("trusted_proxies", server.trusted_proxies,
                       [](const std::string& cidr) -> std::optional<std::string> {
                           if (is_cidr(cidr)) return std::nullopt;
                           return "is not an IP address or CIDR (\"10.0.0.0/8\", \"fd00::/8\")";
                       });
    read_cors(table, server.cors);
    read_session_cookies(table, server.session_cookies);
    table.finish();
}

void read_log(TableReader& root, LogConfig& log) {
    TableReader table = root.child("log");
    table.read_choice("level", log.level,
                      {{"trace", LogLevel::trace},
                       {"debug", LogLevel::debug},
                       {"info", LogLevel::info},
                       {"warn", LogLevel::warn},
                       {"error", LogLevel::error}});
    table.read_choice("format", log.format, {{"text", LogFormat::text}, {"json", LogFormat::json}});
    table.finish();
}

void read_database(TableReader& root, DatabaseConfig& database) {
    TableReader table = root.child("database");
    table.read("enabled", database.enabled);
    if (table.read("url", database.url) && !is_database_url(database.url))
        table.report(*table.take("url"), "database.url",
                     "not a libpq URI (expected postgresql://user@host:port/dbname)");
    table.read_integer("pool_size", database.pool_size, 1, 1024);
    table.read_integer("connect_timeout_ms", database.connect_timeout_ms, 1, kMaxMs);
    table.read_integer("statement_timeout_ms", database.statement_timeout_ms, 0, kMaxMs);
    table.read_integer("startup_wait_ms", database.startup_wait_ms, 0, kMaxMs);
    table.finish();
}

void read_redis(TableReader& root, RedisConfig& redis) {
    TableReader table = root.child("redis");
    table.read("enabled", redis.enabled);
    if (table.read("host", redis.host) && redis.host.empty())
        table.report(*table.take("host"), "redis.host", "must not be empty");
    table.read_integer("port", redis.port, 1, 65535);
    table.read_integer("pool_size", redis.pool_size, 1, 1024);
    table.read_integer("timeout_ms", redis.timeout_ms, 1, kMaxMs);
    table.read_integer("startup_wait_ms", redis.startup_wait_ms, 0, kMaxMs);
    table.read("user", redis.user);
    if (auto password = table.take("password")) {
        table.report(*password, "redis.password",
                     "secrets come only from the environment: set ADMIT_REDIS_PASSWORD instead");
    }
    table.finish();
}

void read_kafka(TableReader& events, KafkaConfig& kafka) {
    TableReader table = events.child("kafka");
    table.read("brokers", kafka.brokers);
    table.read("topic_prefix", kafka.topic_prefix);
    TableReader properties = table.child("properties");
    if (properties.present()) {
        for (const auto& [key, node] : *properties.table()) {
            const std::string path = properties.key_path(key.str());
            if (const auto* text = node.as_string()) {
                kafka.properties[std::string(key.str())] = text->get();
            } else {
                properties.report(node, path,
                                  "expected string, found " + std::string(type_name(node.type())) +
                                      " (librdkafka properties are strings)");
            }
        }
    }
    table.finish();
}

void read_events(TableReader& root, EventsConfig& events) {
    TableReader table = root.child("events");
    table.read_choice("backend", events.backend,
                      {{"inproc", EventsBackend::inproc}, {"kafka", EventsBackend::kafka}});
    table.read_integer("relay_batch", events.relay_batch, 1, 100'000);
    table.read_integer("relay_poll_ms", events.relay_poll_ms, 1, 60'000);
    table.read_integer("delivery_poll_ms", events.delivery_poll_ms, 1, 60'000);
    table.read_integer("background_nice", events.background_nice, 0, 19);
    table.read_integer("max_attempts", events.max_attempts, 1, 1000);
    table.read_integer("backoff_initial_ms", events.backoff_initial_ms, 1, kMaxMs);
    table.read_integer("backoff_max_ms", events.backoff_max_ms, 1, kMaxMs);
    if (events.backoff_max_ms < events.backoff_initial_ms) {
        const toml::node* node = table.take("backoff_max_ms");
        const std::string message = "must not be less than events.backoff_initial_ms (" +
                                    std::to_string(events.backoff_initial_ms) + ")";
        if (node != nullptr)
            table.report(*node, "events.backoff_max_ms", message);
        else
            table.report_missing("backoff_max_ms", message);
    }
    read_kafka(table, events.kafka);
    if (events.backend == EventsBackend::kafka && events.kafka.brokers.empty()) {
        const toml::node* backend = table.take("backend");
        const std::string message = "backend \"kafka\" needs events.kafka.brokers";
        if (backend != nullptr)
            table.report(*backend, "events.backend", message);
        else
            table.report_missing("backend", message);
    }
    table.finish();
}

void read_policies(TableReader& root, const std::filesystem::path& venue_file,
                   PoliciesConfig& policies) {
    TableReader table = root.child("policies");
    policies.dir =
        (std::filesystem::absolute(venue_file).parent_path() / "../../policies").lexically_normal();
    std::string dir;
    if (table.read("dir", dir))
        policies.dir = resolve_against_source(*table.take("dir"), dir, venue_file);
    TableReader overrides = table.child("overrides");
    if (overrides.present()) {
        for (const auto& [key, node] : *overrides.table()) {
            const std::string name(key.str());
            const std::string path = overrides.key_path(name);
            const auto* file = node.as_string();
            if (file == nullptr) {
                overrides.report(node, path,
                                 "expected string, found " + std::string(type_name(node.type())));
            } else if (!is_policy_name(name)) {
                overrides.report(node, path,
                                 "\"" + name + "\" is not a policy name ([a-z][a-z0-9_-]*)");
            } else if (!file->get().ends_with(".lua")) {
                overrides.report(node, path, "\"" + file->get() + "\" is not a .lua file");
            } else {
                policies.overrides[name] = resolve_against_source(node, file->get(), venue_file);
            }
        }
    }
    table.read_integer("instruction_budget", policies.instruction_budget, 1000, 1'000'000'000);
    table.read_integer("memory_limit_bytes", policies.memory_limit_bytes, 64 * kKiB, kGiB);
    table.read_integer("deadline_ms", policies.deadline_ms, 1, 60'000);
    table.read_integer("retained_memory_bytes", policies.retained_memory_bytes, 64 * kKiB, kGiB);
    table.read("require_approval", policies.require_approval);
    if (table.read("editor_role", policies.editor_role) && policies.editor_role.empty())
        table.report(*table.take("editor_role"), table.key_path("editor_role"),
                     "must not be empty");
    table.read_integer("sync_poll_ms", policies.sync_poll_ms, 100, 3'600'000);
    table.read_integer("decision_retention_days", policies.decision_retention_days, 1, 3650);
    table.read_integer("decision_sample_per_second", policies.decision_sample_per_second, 0,
                       100'000);
    table.finish();
}

void read_jobs(TableReader& root, JobsConfig& jobs) {
    TableReader table = root.child("jobs");
    table.read_integer("poll_ms", jobs.poll_ms, 1, 60'000);
    table.finish();
}

void read_outbound(TableReader& root, const std::filesystem::path& venue_file,
                   OutboundConfig& outbound) {
    TableReader table = root.child("outbound");
    table.read_integer("connect_timeout_ms", outbound.connect_timeout_ms, 1, kMaxMs);
    table.read_integer("read_timeout_ms", outbound.read_timeout_ms, 1, kMaxMs);
    table.read_integer("max_timeout_ms", outbound.max_timeout_ms, 1, kMaxMs);
    table.read_integer("max_attempts", outbound.max_attempts, 1, 10);
    table.read_integer("retry_backoff_ms", outbound.retry_backoff_ms, 0, 60'000);
    table.read_integer("max_idle_per_upstream", outbound.max_idle_per_upstream, 0, 10'000);
    table.read_integer("idle_keepalive_ms", outbound.idle_keepalive_ms, 1, kMaxMs);
    table.read_integer("max_response_bytes", outbound.max_response_bytes, 1, kGiB);
    table.read("verify_tls", outbound.verify_tls);
    std::string ca_file;
    if (table.read("ca_file", ca_file) && !ca_file.empty())
        outbound.ca_file = resolve_against_source(*table.take("ca_file"), ca_file, venue_file);
    table.read_integer("breaker_window", outbound.breaker_window, 1, 1000);
    table.read_integer("breaker_failure_percent", outbound.breaker_failure_percent, 1, 100);
    table.read_integer("breaker_slow_percent", outbound.breaker_slow_percent, 1, 100);
    table.read_integer("breaker_slow_call_ms", outbound.breaker_slow_call_ms, 1, kMaxMs);
    table.read_integer("breaker_open_ms", outbound.breaker_open_ms, 1, kMaxMs);
    table.read_integer("breaker_half_open_calls", outbound.breaker_half_open_calls, 1, 1000);
    table.finish();
}

void read_testing(TableReader& root, const std::string& venue_id, TestingConfig& testing) {
    TableReader table = root.child("testing");
    table.read("test_run", testing.test_run);
    table.read("check_responses", testing.check_responses);
    if (table.read("manual_clock", testing.manual_clock) && testing.manual_clock &&
        !testing.test_run && venue_id != "test" && !venue_id.starts_with("test-")) {
        table.report(*table.take("manual_clock"), "testing.manual_clock",
                     "a movable clock is for tests only: use a venue id \"test\" or "
                     "\"test-...\", or set testing.test_run = true");
        testing.manual_clock = false;
    }
    table.finish();
}

}  // namespace

std::filesystem::path resolve_against_source(const toml::node& node, const std::string& value,
                                             const std::filesystem::path& fallback_base_file) {
    const std::string file = source_file(node);
    const std::filesystem::path base =
        file.empty() ? fallback_base_file : std::filesystem::path(file);
    return (std::filesystem::absolute(base).parent_path() / value).lexically_normal();
}

bool is_plugin_name(std::string_view name) {
    return !name.empty() && name[0] >= 'a' && name[0] <= 'z' &&
           all_of(name, [](char c) { return is_lower_or_digit(c) || c == '_'; });
}

bool is_database_url(std::string_view url) {
    for (std::string_view scheme : {"postgresql://", "postgres://"})
        if (url.starts_with(scheme) && url.size() > scheme.size()) return true;
    return false;
}

bool is_ip_address(const std::string& address) {
    unsigned char buffer[16];
    return inet_pton(AF_INET, address.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

bool is_cidr(const std::string& text) {
    const std::size_t slash = text.find('/');
    const std::string address = text.substr(0, slash);
    unsigned char buffer[16];
    const bool v4 = inet_pton(AF_INET, address.c_str(), buffer) == 1;
    if (!v4 && inet_pton(AF_INET6, address.c_str(), buffer) != 1) return false;
    if (slash == std::string::npos) return true;
    const std::string digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
        return false;
    return std::stoi(digits) <= (v4 ? 32 : 128);
}

void read_document(const toml::table& root, const std::filesystem::path& venue_file,
                   HostConfig& config, IssueSink& sink) {
    TableReader reader(&root, "", sink);
    read_venue(reader, config);
    read_server(reader, config.server);
    read_log(reader, config.log);
    read_plugins(reader, config);
    read_database(reader, config.database);
    read_redis(reader, config.redis);
    read_events(reader, config.events);
    read_policies(reader, venue_file, config.policies);
    read_jobs(reader, config.jobs);
    read_outbound(reader, venue_file, config.outbound);
    read_access(reader, config.access);
    read_testing(reader, config.venue.id, config.testing);
    reader.finish();
}

}  // namespace admit::config

#include "host/config/describe.hpp"

#include "host/config/redaction.hpp"

#include <toml++/toml.h>
#include <boost/json.hpp>

#include <cstdint>
#include <sstream>

namespace admit::config {
namespace {

constexpr std::string_view kMask = "***";

std::int64_t integer(std::uint64_t value) { return static_cast<std::int64_t>(value); }

std::string masked_if_secret(std::string_view key, std::string_view value) {
    if (is_secret_key(key)) return std::string(kMask);
    if (value.find("://") != std::string_view::npos) return redact_url(value);
    return std::string(value);
}

// Plugin sections are held as JSON; print them as TOML with secret-named keys masked.
void insert_json(toml::table& out, std::string_view key, const boost::json::value& value);

toml::array json_array(std::string_view key, const boost::json::array& elements) {
    toml::array array;
    for (const auto& element : elements) {
        toml::table holder;
        insert_json(holder, key, element);
        if (auto* node = holder.get(key))
            node->visit([&array](auto&& concrete) { array.push_back(concrete); });
    }
    return array;
}

void insert_json(toml::table& out, std::string_view key, const boost::json::value& value) {
    switch (value.kind()) {
        case boost::json::kind::object: {
            toml::table table;
            for (const auto& member : value.get_object())
                insert_json(table, member.key(), member.value());
            out.insert_or_assign(key, std::move(table));
            break;
        }
        case boost::json::kind::array:
            out.insert_or_assign(key, json_array(key, value.get_array()));
            break;
        case boost::json::kind::string:
            out.insert_or_assign(key, masked_if_secret(key, value.get_string()));
            break;
        case boost::json::kind::int64:
            out.insert_or_assign(key, value.get_int64());
            break;
        case boost::json::kind::uint64:
            out.insert_or_assign(key, integer(value.get_uint64()));
            break;
        case boost::json::kind::double_:
            out.insert_or_assign(key, value.get_double());
            break;
        case boost::json::kind::bool_:
            out.insert_or_assign(key, value.get_bool());
            break;
        case boost::json::kind::null:
            break;  // TOML has no null: leave the key out
    }
}

toml::array names(const std::vector<std::string>& items) {
    toml::array out;
    for (const auto& item : items) out.push_back(item);
    return out;
}

toml::table cors_table(const CorsConfig& cors) {
    return toml::table{{"allowed_origins", names(cors.allowed_origins)},
                       {"allowed_headers", names(cors.allowed_headers)},
                       {"exposed_headers", names(cors.exposed_headers)},
                       {"max_age_seconds", integer(cors.max_age_seconds)}};
}

toml::table session_cookies_table(const SessionCookieConfig& cookies) {
    return toml::table{{"access_token", cookies.access_token},
                       {"guarded", names(cookies.guarded)},
                       {"trusted_origins", names(cookies.trusted_origins)}};
}

toml::table plugin_sections(const HostConfig& config) {
    toml::table sections;
    for (const auto& [name, json] : config.plugin_sections_json) {
        boost::system::error_code error;
        const boost::json::value parsed = boost::json::parse(json, error);
        if (error) {
            sections.insert_or_assign(name, toml::table{{"unreadable", error.message()}});
        } else {
            insert_json(sections, name, parsed);
        }
    }
    return sections;
}

toml::table document(const HostConfig& c) {
    toml::array load;
    for (const auto& name : c.plugins.load) load.push_back(name);
    toml::table kafka_properties;
    for (const auto& [key, value] : c.events.kafka.properties)
        kafka_properties.insert_or_assign(key, masked_if_secret(key, value));
    toml::table overrides;
    for (const auto& [name, path] : c.policies.overrides)
        overrides.insert_or_assign(name, path.string());

    toml::table redis{{"enabled", c.redis.enabled},
                      {"host", c.redis.host},
                      {"port", c.redis.port},
                      {"pool_size", integer(c.redis.pool_size)},
                      {"timeout_ms", integer(c.redis.timeout_ms)},
                      {"startup_wait_ms", integer(c.redis.startup_wait_ms)},
                      {"user", c.redis.user}};
    if (c.redis.password) redis.insert_or_assign("password", kMask);

    toml::table doc{
        {"venue", toml::table{{"id", c.venue.id},
                              {"name", c.venue.name},
                              {"currency", c.venue.currency},
                              {"timezone", c.venue.timezone}}},
        {"server",
         toml::table{{"address", c.server.address},
                     {"port", c.server.port},
                     {"io_threads", integer(c.server.io_threads)},
                     {"workers", integer(c.server.workers)},
                     {"queue_limit", integer(c.server.queue_limit)},
                     {"body_limit_bytes", integer(c.server.body_limit_bytes)},
                     {"header_limit_bytes", integer(c.server.header_limit_bytes)},
                     {"target_limit_bytes", integer(c.server.target_limit_bytes)},
                     {"request_timeout_ms", integer(c.server.request_timeout_ms)},
                     {"idle_timeout_ms", integer(c.server.idle_timeout_ms)},
                     {"shutdown_grace_ms", integer(c.server.shutdown_grace_ms)},
                     {"retry_after_seconds", integer(c.server.retry_after_seconds)},
                     {"max_connections", integer(c.server.max_connections)},
                     {"max_connections_per_ip", integer(c.server.max_connections_per_ip)},
                     {"max_streams_per_ip", integer(c.server.max_streams_per_ip)},
                     {"stream_heartbeat_ms", integer(c.server.stream_heartbeat_ms)},
                     {"stream_write_timeout_ms", integer(c.server.stream_write_timeout_ms)},
                     {"stream_max_lifetime_s", integer(c.server.stream_max_lifetime_s)},
                     {"trusted_proxies", names(c.server.trusted_proxies)},
                     {"cors", cors_table(c.server.cors)},
                     {"session_cookies", session_cookies_table(c.server.session_cookies)}}},
        {"log",
         toml::table{{"level", to_string(c.log.level)}, {"format", to_string(c.log.format)}}},
        {"plugins", toml::table{{"dir", c.plugins.dir.string()}, {"load", std::move(load)}}},
        {"plugin", plugin_sections(c)},
        {"database", toml::table{{"enabled", c.database.enabled},
                                 {"url", redact_url(c.database.url)},
                                 {"pool_size", integer(c.database.pool_size)},
                                 {"connect_timeout_ms", integer(c.database.connect_timeout_ms)},
                                 {"statement_timeout_ms", integer(c.database.statement_timeout_ms)},
                                 {"startup_wait_ms", integer(c.database.startup_wait_ms)}}},
        {"redis", std::move(redis)},
        {"events",
         toml::table{{"backend", to_string(c.events.backend)},
                     {"relay_batch", integer(c.events.relay_batch)},
                     {"relay_poll_ms", integer(c.events.relay_poll_ms)},
                     {"delivery_poll_ms", integer(c.events.delivery_poll_ms)},
                     {"background_nice", integer(c.events.background_nice)},
                     {"max_attempts", integer(c.events.max_attempts)},
                     {"backoff_initial_ms", integer(c.events.backoff_initial_ms)},
                     {"backoff_max_ms", integer(c.events.backoff_max_ms)},
                     {"kafka", toml::table{{"brokers", c.events.kafka.brokers},
                                           {"topic_prefix", c.events.kafka.topic_prefix},
                                           {"properties", std::move(kafka_properties)}}}}},
        {"policies",
         toml::table{
             {"dir", c.policies.dir.string()},
             {"overrides", std::move(overrides)},
             {"instruction_budget", integer(c.policies.instruction_budget)},
             {"memory_limit_bytes", integer(c.policies.memory_limit_bytes)},
             {"deadline_ms", integer(c.policies.deadline_ms)},
             {"retained_memory_bytes", integer(c.policies.retained_memory_bytes)},
             {"require_approval", c.policies.require_approval},
             {"editor_role", c.policies.editor_role},
             {"sync_poll_ms", integer(c.policies.sync_poll_ms)},
             {"decision_retention_days", integer(c.policies.decision_retention_days)},
             {"decision_sample_per_second", integer(c.policies.decision_sample_per_second)}}},
        {"jobs", toml::table{{"poll_ms", integer(c.jobs.poll_ms)}}},
        {"outbound",
         toml::table{{"connect_timeout_ms", integer(c.outbound.connect_timeout_ms)},
                     {"read_timeout_ms", integer(c.outbound.read_timeout_ms)},
                     {"max_timeout_ms", integer(c.outbound.max_timeout_ms)},
                     {"max_attempts", integer(c.outbound.max_attempts)},
                     {"retry_backoff_ms", integer(c.outbound.retry_backoff_ms)},
                     {"max_idle_per_upstream", integer(c.outbound.max_idle_per_upstream)},
                     {"idle_keepalive_ms", integer(c.outbound.idle_keepalive_ms)},
                     {"max_response_bytes", integer(c.outbound.max_response_bytes)},
                     {"verify_tls", c.outbound.verify_tls},
                     {"ca_file", c.outbound.ca_file.string()},
                     {"breaker_window", integer(c.outbound.breaker_window)},
                     {"breaker_failure_percent", integer(c.outbound.breaker_failure_percent)},
                     {"breaker_slow_percent", integer(c.outbound.breaker_slow_percent)},
                     {"breaker_slow_call_ms", integer(c.outbound.breaker_slow_call_ms)},
                     {"breaker_open_ms", integer(c.outbound.breaker_open_ms)},
                     {"breaker_half_open_calls", integer(c.outbound.breaker_half_open_calls)}}},
        {"access", toml::table{{"roles", names(c.access.roles)},
                               {"rate_categories", names(c.access.rate_categories)},
                               {"admin_role", c.access.admin_role}}},
        {"testing", toml::table{{"manual_clock", c.testing.manual_clock},
                                {"test_run", c.testing.test_run},
                                {"check_responses", c.testing.check_responses}}},
    };
    return doc;
}

}  // namespace

std::string describe(const HostConfig& config) {
    std::ostringstream out;
    out << "# venue file: " << config.venue_file.string() << '\n';
    out << "# defaults file: " << (config.defaults_file ? config.defaults_file->string() : "(none)")
        << '\n';
    // Basic (double-quoted) strings and no indentation: plain TOML that diffs well.
    out << toml::toml_formatter{document(config), toml::format_flags::allow_unicode_strings}
        << '\n';
    return out.str();
}

}  // namespace admit::config

#include "host/config/environment_overrides.hpp"

#include "host/config/config_schema.hpp"

#include <charconv>
#include <cstdlib>

namespace admit::config {
namespace {

void report(ConfigIssues& issues, const std::string& variable, const std::string& key,
            const std::string& message) {
    issues.push_back(ConfigIssue{"environment", key, 0, 0, variable + ": " + message});
}

}  // namespace

EnvironmentLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

void apply_environment(const EnvironmentLookup& environment, HostConfig& config,
                       ConfigIssues& issues) {
    if (auto url = environment("ADMIT_DATABASE_URL")) {
        if (is_database_url(*url))
            config.database.url = *url;
        else
            report(issues, "ADMIT_DATABASE_URL", "database.url",
                   "not a libpq URI (expected postgresql://...)");
    }
    if (auto host = environment("ADMIT_REDIS_HOST")) {
        if (!host->empty())
            config.redis.host = *host;
        else
            report(issues, "ADMIT_REDIS_HOST", "redis.host", "must not be empty");
    }
    if (auto port_text = environment("ADMIT_REDIS_PORT")) {
        unsigned port = 0;
        const char* end = port_text->data() + port_text->size();
        const auto [stop, error] = std::from_chars(port_text->data(), end, port);
        if (error == std::errc() && stop == end && port >= 1 && port <= 65535) {
            config.redis.port = static_cast<std::uint16_t>(port);
        } else {
            report(issues, "ADMIT_REDIS_PORT", "redis.port",
                   "\"" + *port_text + "\" is not a port (1..65535)");
        }
    }
    if (auto password = environment("ADMIT_REDIS_PASSWORD")) config.redis.password = *password;
}

}  // namespace admit::config

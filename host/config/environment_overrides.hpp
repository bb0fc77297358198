// Environment overrides: settings (mostly secrets and addresses) that deployment tooling sets
// through the process environment rather than files. They win over both config files:
//   ADMIT_DATABASE_URL    database.url
//   ADMIT_REDIS_HOST      redis.host
//   ADMIT_REDIS_PORT      redis.port
//   ADMIT_REDIS_PASSWORD  redis.password
#pragma once

#include "host/config/config_issue.hpp"
#include "host/config/host_config.hpp"

#include <functional>
#include <optional>
#include <string>

namespace admit::config {

// Looks one variable up; nullopt when unset. Tests pass a fake; must be callable from one thread.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the real process environment (getenv). Not thread-safe against concurrent setenv.
EnvironmentLookup process_environment();

// Applies the overrides to `config`; malformed values are reported (file "environment") and
// ignored.
void apply_environment(const EnvironmentLookup& environment, HostConfig& config,
                       ConfigIssues& issues);

}  // namespace admit::config

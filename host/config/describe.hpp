// The printable effective configuration, for `admitd --check-config` and the start-up log.
#pragma once

#include "host/config/host_config.hpp"

#include <string>

namespace admit::config {

// The effective configuration as TOML text (the same keys as the files, every value resolved),
// with every secret replaced by "***": the redis password, passwords in URLs, and secret-named
// keys in kafka properties and plugin sections. Pure; never throws for any HostConfig.
std::string describe(const HostConfig& config);

}  // namespace admit::config

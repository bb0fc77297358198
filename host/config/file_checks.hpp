// Existence checks for files the configuration refers to (plugin libraries, policy overrides).
#pragma once

#include "host/config/host_config.hpp"
#include "host/config/table_reader.hpp"

#include <toml++/toml.h>

namespace admit::config {

// Reports, at the position of the naming entry in `root`, every plugin in plugins.load without
// a library <dir>/<name>.so and every policies.overrides file that does not exist.
void check_referenced_files(const toml::table& root, const HostConfig& config, IssueSink& sink);

}  // namespace admit::config

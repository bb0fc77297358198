// Loading admitd configuration: the venue file merged over the host defaults file, validated
// against the schema, with environment overrides applied.
//
// Which defaults file: LoadOptions::defaults_file (admitd --defaults) if given; else the venue
// file's top-level `defaults = "<path>"` (relative to the venue file); else
// `<venue file dir>/../admitd.toml` when it exists; else none (built-in defaults only).
// Merge: tables merge key by key; arrays and scalars in the venue file replace the defaults'.
#pragma once

#include "host/config/config_issue.hpp"
#include "host/config/environment_overrides.hpp"
#include "host/config/host_config.hpp"

#include "host/common/result.hpp"

#include <filesystem>
#include <optional>

namespace admit::config {

struct LoadOptions {
    std::filesystem::path venue_file;                    // admitd --config / --check-config
    std::optional<std::filesystem::path> defaults_file;  // admitd --defaults
    // Verify that referenced files exist: each plugin library <plugins.dir>/<name>.so and each
    // policies.overrides file. Unit tests that have no built plugins turn this off.
    bool check_files = true;
    EnvironmentLookup environment = process_environment();
};

struct LoadOutcome {
    std::optional<HostConfig> config;  // set exactly when `issues` is empty
    ConfigIssues issues;               // every problem found, in file order per check

    bool ok() const { return config.has_value(); }
    // Code "CONFIG_INVALID" and all issues, one per line. Precondition: !ok().
    admit::Error error() const;
};

// Reads, merges and validates. Reports all problems rather than stopping at the first; toml++
// parse errors and unreadable files become issues too. Never throws.
LoadOutcome load(const LoadOptions& options) noexcept;

}  // namespace admit::config

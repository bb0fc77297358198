// ConfigIssue: one problem found in the configuration, located as precisely as the source allows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace admit::config {

struct ConfigIssue {
    std::string
        file;  // as given or derived (e.g. "config/venues/demo.toml"); "environment" for env vars
    std::string
        key;  // dotted path ("server.port", "plugins.load[1]"); empty when about the whole file
    std::uint32_t line = 0;  // 1-based; 0 when unknown
    std::uint32_t column = 0;
    std::string message;

    // "file:line:column: key: message", leaving out the parts that are unknown.
    std::string to_string() const;
};

using ConfigIssues = std::vector<ConfigIssue>;

// All issues, one per line, in the order found.
std::string to_string(const ConfigIssues& issues);

}  // namespace admit::config

// Ordering a set of plugins by their declared dependencies.
#pragma once

#include <string>
#include <vector>

#include "host/common/result.hpp"

namespace admit::plugins {

struct PluginNode {
    std::string name;
    std::string origin;  // the file it came from, for messages
    std::vector<std::string> dependencies;
};

// Returns indexes into `nodes` so that every plugin comes after its dependencies, keeping the given
// order where dependencies allow. Refuses duplicate names (naming both files), a dependency that is
// not in the set, and cycles (naming the plugins on it).
Result<std::vector<std::size_t>> resolve_start_order(const std::vector<PluginNode>& nodes);

}  // namespace admit::plugins

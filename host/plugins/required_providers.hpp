// The startup check for split roles: a venue may load only some plugins on an instance (the same
// binaries as one process or as separate services), but a plugin whose service calls go to a
// plugin that this instance does not load would fail at run time. Service calls are resolved in
// the instance's own registry (service_registry.hpp), never across instances, so each loaded
// plugin's providers, as the venue declares them in [plugins.requires], must be loaded here too;
// otherwise admitd refuses to start and names the missing provider.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "host/common/result.hpp"

namespace admit::plugins {

/// Succeeds when every plugin of `loaded` that `required` lists has each of its providers in
/// `loaded`; otherwise PLUGIN_MISSING_DEPENDENCY naming the first plugin and every provider it
/// lacks. Entries for plugins that are not loaded are ignored (one declaration serves every
/// instance of a fleet). Pure function; thread-safe.
Status check_required_providers(const std::vector<std::string>& loaded,
                                const std::map<std::string, std::vector<std::string>>& required);

}  // namespace admit::plugins

#include "host/plugins/required_providers.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace admit::plugins {

Status check_required_providers(const std::vector<std::string>& loaded,
                                const std::map<std::string, std::vector<std::string>>& required) {
    auto is_loaded = [&](const std::string& name) {
        return std::find(loaded.begin(), loaded.end(), name) != loaded.end();
    };
    for (const auto& plugin : loaded) {
        auto entry = required.find(plugin);
        if (entry == required.end()) continue;
        std::vector<std::string> missing;
        for (const auto& provider : entry->second) {
            if (!is_loaded(provider)) missing.push_back(provider);
        }
        if (!missing.empty()) {
            return Error{
                ErrorCode::PLUGIN_MISSING_DEPENDENCY,
                fmt::format("plugin {} calls services of {}, which this instance does not "
                            "load ([plugins.requires]); service calls never leave the "
                            "instance: add {} to plugins.load or run {} elsewhere",
                            plugin, fmt::join(missing, ", "), fmt::join(missing, ", "), plugin)};
        }
    }
    return {};
}

}  // namespace admit::plugins

#include "host/config/file_checks.hpp"

#include <algorithm>
#include <system_error>

namespace admit::config {
namespace {

bool is_file(const std::filesystem::path& path) {
    std::error_code error;
    return std::filesystem::is_regular_file(path, error);
}

void check_plugin_libraries(const toml::table& root, const HostConfig& config, IssueSink& sink) {
    const toml::array* load = root["plugins"]["load"].as_array();
    if (load == nullptr || config.plugins.dir.empty()) return;
    std::vector<std::string> checked;
    for (std::size_t i = 0; i < load->size(); ++i) {
        const toml::node& element = *load->get(i);
        const auto* name = element.as_string();
        if (name == nullptr) continue;
        const auto& loaded = config.plugins.load;
        if (std::find(loaded.begin(), loaded.end(), name->get()) == loaded.end())
            continue;  // invalid: reported
        if (std::find(checked.begin(), checked.end(), name->get()) != checked.end())
            continue;  // duplicate
        checked.push_back(name->get());
        const std::filesystem::path library = config.plugins.library_path(name->get());
        if (!is_file(library))
            sink.report(element.source(), "plugins.load[" + std::to_string(i) + "]",
                        "plugin \"" + name->get() + "\": library not found at " + library.string());
    }
}

void check_policy_overrides(const toml::table& root, const HostConfig& config, IssueSink& sink) {
    const toml::table* overrides = root["policies"]["overrides"].as_table();
    if (overrides == nullptr) return;
    for (const auto& [name, path] : config.policies.overrides) {
        if (is_file(path)) continue;
        const std::string key = "policies.overrides." + name;
        const toml::node* node = overrides->get(name);
        const std::string message = "policy file not found at " + path.string();
        if (node != nullptr)
            sink.report(node->source(), key, message);
        else
            sink.report_at_file(key, message);
    }
}

}  // namespace

void check_referenced_files(const toml::table& root, const HostConfig& config, IssueSink& sink) {
    check_plugin_libraries(root, config, sink);
    check_policy_overrides(root, config, sink);
}

}  // namespace admit::config

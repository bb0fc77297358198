// Schema of [plugins] (which plugin libraries to load, from where) and [plugin.<name>] (each
// plugin's own free-form section, handed to it as JSON, its path keys made absolute). Declared in
// config_schema.hpp.
#include "host/config/config_schema.hpp"
#include "host/config/spelling.hpp"
#include "host/config/toml_json.hpp"

#include <algorithm>
#include <filesystem>

namespace admit::config {
namespace {

// A path key of a plugin section: a top-level key ending in _dir, _file or _path.
bool is_path_key(std::string_view key) {
    return key.ends_with("_dir") || key.ends_with("_file") || key.ends_with("_path");
}

// `section` with each relative string under a path key resolved against the directory of the
// file that set it (the venue file, or the defaults file it merged), so a plugin finds what the
// venue names from any working directory. Absolute paths and empty strings stay as written.
toml::table with_absolute_paths(const toml::table& section,
                                const std::filesystem::path& venue_file) {
    toml::table resolved = section;
    for (auto&& [key, node] : resolved) {
        auto* text = node.as_string();
        if (!is_path_key(key.str()) || text == nullptr || text->get().empty() ||
            std::filesystem::path(text->get()).is_absolute())
            continue;
        const toml::node* written = section.get(key.str());
        *text = resolve_against_source(*written, text->get(), venue_file).string();
    }
    return resolved;
}

void read_load_list(TableReader& plugins, std::vector<std::string>& load) {
    const toml::node* node = plugins.take("load");
    if (node == nullptr) return;
    const auto* array = node->as_array();
    if (array == nullptr) {
        plugins.report(
            *node, "plugins.load",
            "expected array of plugin names, found " + std::string(type_name(node->type())));
        return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = *array->get(i);
        const std::string key = "plugins.load[" + std::to_string(i) + "]";
        const auto* name = element.as_string();
        if (name == nullptr) {
            plugins.report(element, key,
                           "expected string, found " + std::string(type_name(element.type())));
        } else if (!is_plugin_name(name->get())) {
            plugins.report(element, key,
                           "\"" + name->get() + "\" is not a plugin name ([a-z][a-z0-9_]*)");
        } else if (std::find(load.begin(), load.end(), name->get()) != load.end()) {
            plugins.report(element, key, "plugin \"" + name->get() + "\" is listed more than once");
        } else {
            load.push_back(name->get());
        }
    }
}

// [plugins.requires]: name = ["provider", ...], every name a plugin name. The entries of plugins
// that are not loaded are kept (one declaration serves instances that load different plugins).
void read_required_providers(TableReader& plugins, PluginsConfig& config) {
    TableReader required = plugins.child("requires");
    if (!required.present()) return;
    auto plugin_name_problem = [](const std::string& name) -> std::optional<std::string> {
        if (is_plugin_name(name)) return std::nullopt;
        return "is not a plugin name ([a-z][a-z0-9_]*)";
    };
    std::vector<std::string> names;
    for (const auto& [key, node] : *required.table()) names.emplace_back(key.str());
    for (const auto& name : names) {
        if (!is_plugin_name(name)) {
            required.report(*required.table()->get(name), required.key_path(name),
                            "\"" + name + "\" is not a plugin name ([a-z][a-z0-9_]*)");
            required.take(name);
            continue;
        }
        std::vector<std::string> providers;
        if (required.read_strings(name, providers, plugin_name_problem))
            config.required_providers[name] = std::move(providers);
    }
    required.finish();
}

// [plugin.<name>] sections: each must belong to a loaded plugin and be a table.
void read_plugin_sections(TableReader& root, HostConfig& config) {
    TableReader sections = root.child("plugin");
    if (!sections.present()) return;
    const auto& loaded = config.plugins.load;
    for (const auto& [key, node] : *sections.table()) {
        const std::string name(key.str());
        const std::string path = sections.key_path(name);
        if (std::find(loaded.begin(), loaded.end(), name) == loaded.end()) {
            std::string message =
                "section for plugin \"" + name + "\", which is not in plugins.load";
            if (auto suggestion = closest_match(name, loaded))
                message += " (did you mean \"" + *suggestion + "\"?)";
            toml::source_region where = key.source();
            if (!where.path) where = node.source();
            sections.sink().report(where, path, message);
        } else if (const auto* table = node.as_table()) {
            config.plugin_sections_json[name] =
                to_json(with_absolute_paths(*table, config.venue_file));
        } else {
            sections.report(node, path,
                            "expected table, found " + std::string(type_name(node.type())));
        }
    }
}

}  // namespace

void read_plugins(TableReader& root, HostConfig& config) {
    TableReader plugins = root.child("plugins");
    std::string dir;
    if (plugins.read("dir", dir)) {
        config.plugins.dir = resolve_against_source(*plugins.take("dir"), dir, config.venue_file);
    }
    read_load_list(plugins, config.plugins.load);
    read_required_providers(plugins, config.plugins);
    if (config.plugins.dir.empty() && !config.plugins.load.empty() &&
        plugins.take("dir") == nullptr) {
        plugins.report_missing("dir", "required when plugins.load names plugins");
    }
    plugins.finish();
    read_plugin_sections(root, config);
}

}  // namespace admit::config

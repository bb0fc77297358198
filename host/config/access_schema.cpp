// Schema of [access]: the roles and rate categories a venue declares (the host knows none by
// meaning) and the role of the host's admin routes. Declared in config_schema.hpp.
#include <algorithm>

#include "host/config/config_schema.hpp"

namespace admit::config {
namespace {

bool is_vocabulary_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

// Reads `key` as an array of unique names into `out` (replacing it); reports every bad element.
void read_names(TableReader& table, std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = table.take(key);
    if (node == nullptr) return;
    const std::string path = table.key_path(key);
    const auto* array = node->as_array();
    if (array == nullptr) {
        table.report(*node, path,
                     "expected array of names, found " + std::string(type_name(node->type())));
        return;
    }
    std::vector<std::string> names;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = *array->get(i);
        const std::string at = path + "[" + std::to_string(i) + "]";
        const auto* name = element.as_string();
        if (name == nullptr) {
            table.report(element, at,
                         "expected string, found " + std::string(type_name(element.type())));
        } else if (!is_vocabulary_name(name->get())) {
            table.report(element, at, "\"" + name->get() + "\" is not a name ([a-z][a-z0-9_-]*)");
        } else if (std::find(names.begin(), names.end(), name->get()) != names.end()) {
            table.report(element, at, "\"" + name->get() + "\" is listed more than once");
        } else {
            names.push_back(name->get());
        }
    }
    out = std::move(names);
}

}  // namespace

void read_access(TableReader& root, AccessConfig& access) {
    TableReader table = root.child("access");
    read_names(table, "roles", access.roles);
    read_names(table, "rate_categories", access.rate_categories);
    if (std::find(access.rate_categories.begin(), access.rate_categories.end(), "general") ==
        access.rate_categories.end()) {
        access.rate_categories.insert(access.rate_categories.begin(), "general");
    }
    std::string admin_role;
    if (table.read("admin_role", admin_role)) {
        if (!is_vocabulary_name(admin_role)) {
            if (const toml::node* node = table.take("admin_role"); node != nullptr) {
                table.report(*node, table.key_path("admin_role"),
                             "\"" + admin_role + "\" is not a name ([a-z][a-z0-9_-]*)");
            }
        } else {
            access.admin_role = admin_role;
        }
    }
    table.finish();
}

}  // namespace admit::config

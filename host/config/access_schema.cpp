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
    table.read_strings(key, out, [](const std::string& name) -> std::optional<std::string> {
        if (is_vocabulary_name(name)) return std::nullopt;
        return "is not a name ([a-z][a-z0-9_-]*)";
    });
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

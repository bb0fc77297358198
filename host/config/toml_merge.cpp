#include "host/config/toml_merge.hpp"

#include <utility>

namespace admit::config {

void merge_into(toml::table& base, toml::table&& overlay) {
    for (auto&& [key, node] : overlay) {
        toml::node* existing = base.get(key.str());
        if (existing != nullptr && existing->is_table() && node.is_table()) {
            merge_into(*existing->as_table(), std::move(*node.as_table()));
            continue;
        }
        // Erase first so the key (and its position) also comes from the overlay.
        base.erase(key.str());
        std::move(node).visit(
            [&base, &key = key](auto&& concrete) { base.insert(key, std::move(concrete)); });
    }
}

}  // namespace admit::config

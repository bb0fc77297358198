#include "host/plugins/load_order.hpp"

#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace admit::plugins {

Result<std::vector<std::size_t>> resolve_start_order(const std::vector<PluginNode>& nodes) {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        auto [it, inserted] = index.emplace(nodes[i].name, i);
        if (!inserted) {
            return Error{ErrorCode::PLUGIN_DUPLICATE,
                         fmt::format("plugin name '{}' is provided by both {} and {}",
                                     nodes[i].name, nodes[it->second].origin, nodes[i].origin)};
        }
    }
    for (const auto& node : nodes) {
        for (const auto& dep : node.dependencies) {
            if (!index.contains(dep)) {
                return Error{ErrorCode::PLUGIN_MISSING_DEPENDENCY,
                             fmt::format("plugin {} ({}) depends on '{}', which is not loaded; add "
                                         "it to plugins.load",
                                         node.name, node.origin, dep)};
            }
        }
    }

    enum class Mark { none, visiting, done };
    std::vector<Mark> marks(nodes.size(), Mark::none);
    std::vector<std::size_t> order;
    std::vector<std::string> path;

    // Depth-first; recursion depth is bounded by the number of plugins (a handful).
    auto visit = [&](auto& self, std::size_t i) -> Status {
        if (marks[i] == Mark::done) return {};
        if (marks[i] == Mark::visiting) {
            path.push_back(nodes[i].name);
            return Error{ErrorCode::PLUGIN_DEPENDENCY_CYCLE,
                         fmt::format("plugin dependency cycle: {}", fmt::join(path, " -> "))};
        }
        marks[i] = Mark::visiting;
        path.push_back(nodes[i].name);
        for (const auto& dep : nodes[i].dependencies) {
            if (auto s = self(self, index.at(dep)); !s) return s;
        }
        path.pop_back();
        marks[i] = Mark::done;
        order.push_back(i);
        return {};
    };
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (auto s = visit(visit, i); !s) return s.error();
    }
    return order;
}

}  // namespace admit::plugins

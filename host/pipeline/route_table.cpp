#include "host/pipeline/route_table.hpp"

#include <fmt/format.h>

namespace admit::runtime {

Status RouteTable::add(RouteEntry entry) {
    if (!entry.contract_problem.empty()) {
        return Error{ErrorCode::INVALID_ARGUMENT,
                     fmt::format("route {} {}: {}", entry.method, entry.path_template,
                                 entry.contract_problem)};
    }
    const std::string operation_id = entry.contract ? entry.contract->operation_id : "";
    if (auto s = can_add_operation_ids({operation_id}); !s) return s;
    auto ptr = std::make_shared<const RouteEntry>(std::move(entry));
    if (auto s = router_.add(ptr->method, ptr->path_template, ptr); !s) return s;
    if (!operation_id.empty()) operation_ids_.insert(operation_id);
    entries_.push_back(std::move(ptr));
    return {};
}

Status RouteTable::can_add_operation_ids(const std::vector<std::string>& ids) const {
    std::set<std::string_view> seen;
    for (const auto& id : ids) {
        if (id.empty()) continue;
        if (operation_ids_.contains(id) || !seen.insert(id).second) {
            return Error{ErrorCode::ROUTE_DUPLICATE,
                         fmt::format("operationId '{}' is already used by another route", id)};
        }
    }
    return {};
}

Status RouteTable::can_add_all(
    const std::vector<std::pair<std::string, std::string>>& routes) const {
    // A scratch router with the same shapes answers exactly what add() would.
    http::Router<int> probe;
    for (const auto& e : entries_) (void)probe.add(e->method, e->path_template, 0);
    for (const auto& [method, path] : routes) {
        if (auto s = probe.add(method, path, 0); !s) return s;
    }
    return {};
}

std::string substitute_params(std::string_view topic_template,
                              const std::vector<http::PathParam>& params) {
    std::string out;
    out.reserve(topic_template.size() + 32);
    std::size_t i = 0;
    while (i < topic_template.size()) {
        if (topic_template[i] == '{') {
            auto close = topic_template.find('}', i);
            if (close != std::string_view::npos) {
                auto name = topic_template.substr(i + 1, close - i - 1);
                for (const auto& p : params) {
                    if (p.name == name) {
                        out.append(p.value);
                        break;
                    }
                }
                i = close + 1;
                continue;
            }
        }
        out.push_back(topic_template[i++]);
    }
    return out;
}

}  // namespace admit::runtime

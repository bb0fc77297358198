#include "host/plugins/service_registry.hpp"

#include <algorithm>
#include <mutex>

namespace admit::runtime {

bool ServiceRegistry::contains(const std::string& method) const {
    std::shared_lock lock(mutex_);
    return entries_.contains(method);
}

bool ServiceRegistry::add(const std::string& method, ServiceEntry entry) {
    std::unique_lock lock(mutex_);
    return entries_.emplace(method, std::move(entry)).second;
}

ServiceEntry ServiceRegistry::find(std::string_view method) const {
    std::shared_lock lock(mutex_);
    auto it = entries_.find(std::string(method));
    return it == entries_.end() ? ServiceEntry{} : it->second;
}

std::vector<std::string> ServiceRegistry::names() const {
    std::shared_lock lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [name, _] : entries_) out.push_back(name);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace admit::runtime

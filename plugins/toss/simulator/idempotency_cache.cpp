#include "idempotency_cache.hpp"

namespace admit::paysim {

IdempotencyCache::IdempotencyCache(Listener on_store) : on_store_(std::move(on_store)) {}

std::string IdempotencyCache::scope(const std::string& method, const std::string& path,
                                    const std::string& key) {
    return method + " " + path + " " + key;
}

std::optional<StoredResponse> IdempotencyCache::find(const std::string& scope) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(scope);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
}

IdempotencyCache::Claim IdempotencyCache::claim(const std::string& scope, StoredResponse* replay) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(scope); it != entries_.end()) {
        *replay = it->second;
        return Claim::replay;
    }
    if (!in_flight_.insert(scope).second) return Claim::in_flight;
    return Claim::claimed;
}

void IdempotencyCache::release(const std::string& scope) {
    std::lock_guard lock(mutex_);
    in_flight_.erase(scope);
}

void IdempotencyCache::store(const std::string& scope, StoredResponse response) {
    std::lock_guard lock(mutex_);
    in_flight_.erase(scope);
    auto [it, inserted] = entries_.emplace(scope, std::move(response));
    if (inserted && on_store_) on_store_(scope, it->second);
}

void IdempotencyCache::restore(const std::string& scope, StoredResponse response) {
    std::lock_guard lock(mutex_);
    entries_[scope] = std::move(response);
}

std::size_t IdempotencyCache::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

}  // namespace admit::paysim

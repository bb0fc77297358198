#include "deny_list.hpp"

namespace admit::queue {

sdk::Status DenyList::reload() {
    auto rows = db_.exec(
        "SELECT join_id, floor(extract(epoch FROM expires_at))::bigint AS expires_s FROM "
        "queue.denied WHERE expires_at > now() ORDER BY expires_at DESC LIMIT $1",
        static_cast<int64_t>(capacity_));
    if (!rows) return std::move(rows).error();
    auto fresh = std::make_shared<std::unordered_set<std::string>>();
    fresh->reserve(rows->size());
    for (const auto& row : *rows)
        fresh->insert(row.text("join_id") + "|" +
                      std::to_string(row.int64("expires_s").value_or(0)));
    std::lock_guard lock(mutex_);
    // A local addition made while the query ran may be missing from `fresh`: keep it until a
    // reload sees it.
    for (auto it = local_.begin(); it != local_.end();) {
        it = fresh->count(*it) != 0 ? local_.erase(it) : std::next(it);
    }
    ids_ = std::move(fresh);
    return {};
}

void DenyList::add(const std::string& join_id, int64_t expires_s) {
    std::lock_guard lock(mutex_);
    if (local_.size() < capacity_) local_.insert(join_id + "|" + std::to_string(expires_s));
}

bool DenyList::denied(const std::string& join_id, int64_t expires_s) const {
    const std::string key = join_id + "|" + std::to_string(expires_s);
    std::lock_guard lock(mutex_);
    return ids_->count(key) != 0 || local_.count(key) != 0;
}

std::size_t DenyList::size() const {
    std::lock_guard lock(mutex_);
    return ids_->size() + local_.size();
}

}  // namespace admit::queue

// DenyList: the entry tokens revoked before their expiry, kept in-process so queue.check_entry
// never leaves the process on the hot path. The durable list is queue.denied in PostgreSQL (so
// it survives a lost Redis); a refresher thread reloads the live part every `refresh` (at most
// `capacity` entries, the ones expiring last). A revocation made on this host is visible at once
// (add()); one made on another host within one refresh.
// Thread-safe. The refresher runs between start() and stop().
#pragma once

#include <admit/sdk.hpp>
#include <admit/sdk/periodic_thread.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include <cstdint>

namespace admit::queue {

class DenyList {
  public:
    DenyList(sdk::Database& db, std::size_t capacity, std::chrono::milliseconds refresh)
        : db_(db),
          capacity_(capacity == 0 ? 1 : capacity),
          // A failed reload keeps the last list (and the local additions).
          refresher_(refresh, [this] { (void)reload(); }) {}
    DenyList(const DenyList&) = delete;
    DenyList& operator=(const DenyList&) = delete;

    void start() { refresher_.start(); }
    void stop() { refresher_.stop(); }

    /// Loads the live part of queue.denied now.
    sdk::Status reload();
    /// Records a revocation made on this host (the caller wrote queue.denied in its transaction).
    /// A token is identified by its join id and its expiry (unix seconds): a later admission of
    /// the same (schedule, user) gets a new expiry, so revoking one token never blocks the next.
    void add(const std::string& join_id, int64_t expires_s);
    bool denied(const std::string& join_id, int64_t expires_s) const;
    std::size_t size() const;

  private:
    sdk::Database& db_;
    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::shared_ptr<const std::unordered_set<std::string>> ids_ =
        std::make_shared<const std::unordered_set<std::string>>();
    std::unordered_set<std::string> local_;  ///< added here since the last reload
    sdk::PeriodicThread refresher_;          ///< last: stopped first
};

}  // namespace admit::queue

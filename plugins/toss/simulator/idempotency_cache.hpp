// IdempotencyCache: the first response to a request carrying an Idempotency-Key, kept per
// (method, path, key) as Toss scopes it, so a retry gets the same answer without a second
// effect. Entries are journaled through the listener and restored at start; they do not expire
// while the process runs (Toss keeps them 15 days). Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace admit::paysim {

struct StoredResponse {
    int status = 200;
    std::string body;
};

class IdempotencyCache {
  public:
    using Listener = std::function<void(const std::string& scope, const StoredResponse&)>;
    explicit IdempotencyCache(Listener on_store);

    static std::string scope(const std::string& method, const std::string& path,
                             const std::string& key);
    std::optional<StoredResponse> find(const std::string& scope) const;

    // Claims a scope before doing the request's effect. `replay` carries the first response;
    // `in_flight` means another request holds the claim; `claimed` obliges the caller to call
    // store() (or release()).
    enum class Claim { claimed, replay, in_flight };
    Claim claim(const std::string& scope, StoredResponse* replay);
    // Records the first response and drops the claim.
    void store(const std::string& scope, StoredResponse response);
    void release(const std::string& scope);
    void restore(const std::string& scope, StoredResponse response);  // replay, no listener
    std::size_t size() const;

  private:
    mutable std::mutex mutex_;
    Listener on_store_;
    std::unordered_map<std::string, StoredResponse> entries_;
    std::unordered_set<std::string> in_flight_;
};

}  // namespace admit::paysim

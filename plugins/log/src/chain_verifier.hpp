// Re-computes the audit hash chain over a time range and reports the first broken link.
//
// Thread-safety: stateless apart from the Database it reads; safe to call concurrently.
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>

namespace admit::log {

class ChainVerifier {
  public:
    explicit ChainVerifier(sdk::Database& db) : db_(db) {}

    /// Verifies the entries recorded in [from_us, to_us): from the first to the last of them in
    /// seq order, every seq in between must be present, link to the hash of the one before it (the
    /// first one: to the entry before it, a retention anchor, or genesis) and hash to its stored
    /// hash. Answers {"from", "to", "checked", "firstSeq", "lastSeq", "ok", "firstBroken"} where
    /// firstBroken is null or {"seq", "eventId"?, "reason", "expected"?, "found"?} with reason
    /// "missing" (a seq is absent), "prev_hash" (does not link to the entry before) or "hash" (the
    /// stored hash is not the hash of the stored fields: the row was changed).
    sdk::Result<boost::json::object> verify(int64_t from_us, int64_t to_us);

  private:
    /// The hash entry `seq` must link to; nullopt when neither the entry before, an anchor nor
    /// genesis gives it.
    sdk::Result<std::optional<std::string>> link_before(int64_t seq);

    sdk::Database& db_;
};

}  // namespace admit::log

// Reading the audit log: filtered pages for GET /api/v1/admin/audit and JSON Lines exports.
//
// Thread-safety: stateless apart from the Database it reads; safe to call concurrently.
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace admit::log {

/// The filters of the audit routes, every one optional.
struct AuditFilter {
    std::optional<std::string> actor;          ///< exact user id or "system"
    std::optional<std::string> resource_type;  ///< ?resource=<type>[:<id>]
    std::optional<std::string> resource_id;
    std::optional<std::string> action;         ///< exact topic
    std::optional<std::string> action_prefix;  ///< ?action=reservation.* -> "reservation."
    std::optional<int64_t> from_us;            ///< occurred at or after
    std::optional<int64_t> to_us;              ///< occurred before
    std::optional<int64_t> before_seq;         ///< the cursor: entries older than this one

    /// Reads ?actor, resource, action, from, to, cursor; INVALID_ARGUMENT naming the parameter.
    static sdk::Result<AuditFilter> from_request(const sdk::Request& request);
};

class AuditQuery {
  public:
    explicit AuditQuery(sdk::Database& db) : db_(db) {}

    /// Newest first: {"items": [entry...], "nextCursor": "<seq>" | null}.
    sdk::Result<boost::json::object> page(const AuditFilter& filter, int64_t limit);

    /// Every matching entry in chain order, one JSON object per line. REJECTED when more than
    /// `max_entries` match (the caller narrows the range).
    sdk::Result<std::string> export_lines(const AuditFilter& filter, int64_t max_entries);

  private:
    sdk::Database& db_;
};

}  // namespace admit::log

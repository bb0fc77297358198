// One audit entry: what an event says about an action (who, what, on which resource, when) and
// the entry's link in the hash chain.
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace admit::log {

/// The hash before the first entry of the chain (64 hex zeros).
inline const std::string kGenesisHash(64, '0');

/// An audit entry as stored in log.entries.
struct AuditEntry {
    int64_t seq = 0;
    std::string event_id;
    int64_t occurred_us = 0;
    int64_t recorded_us = 0;
    std::string actor;
    std::string action;
    std::string resource_type;
    std::optional<std::string> resource_id;
    std::optional<std::string> trace_id;
    std::optional<std::string> policy_revision;
    std::string summary;  ///< JSON text, exactly as hashed and stored
    std::string prev_hash;
    std::string hash;
};

/// The entry an event describes, without its chain fields (seq, recorded_us, prev_hash, hash):
/// actor = payload "actor" (or "system"); action = the topic; resource = "<topic prefix>Id" of the
/// payload, else its first string field named "...Id" (type = the name without "Id"), else the
/// topic prefix with no id; occurred = payload "at" (RFC 3339), else the publish time; trace id =
/// payload "traceId"; policy revision = payload "policyRevision" or any "...PolicyRevision" field;
/// summary = the payload text. Never fails: a payload that is not a JSON object is recorded as
/// such (summary {"raw": "<text>"}), because the log must not refuse an action it cannot parse.
AuditEntry describe_event(const sdk::Event& event);

/// SHA-256 (lower-case hex) over prev_hash and every recorded field of `entry`, each field
/// length-prefixed so that no two different entries hash the same input. Pure function.
std::string chain_hash(const AuditEntry& entry);

/// The entry as the admin API shows it.
boost::json::object entry_json(const AuditEntry& entry);

/// Reads an entry from a row of `SELECT <kEntryColumns> FROM log.entries`.
AuditEntry entry_from_row(const sdk::Row& row);

/// The column list entry_from_row reads.
inline constexpr const char* kEntryColumns =
    "seq, event_id, occurred_us, recorded_us, actor, action, resource_type, resource_id, "
    "trace_id, policy_revision, summary, prev_hash, hash";

}  // namespace admit::log

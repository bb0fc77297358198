// RevisionStore: policy revisions in PostgreSQL, the one live revision per policy that every host
// serves, and which revision each host reports serving. Every change of a live revision commits
// together with its audit event (policy.published, policy.rolled_back, policy.approved; refusals
// policy.rejected) in the transactional outbox and a NOTIFY on kPolicyChannel, so the fleet hears
// of it when (and only when) it committed.
//
// Thread-safety: every member may be called from any thread (each call uses its own pooled
// connection). Never throws.
#pragma once

#include "host/common/result.hpp"
#include "host/store/pg_pool.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace admit::events {
class EventBus;
}

namespace admit::policy {

// One stored revision. status: "accepted" (validated and tested; live now or before, or may be
// again by rollback), "pending" (validated, waits for a second person's approval), "rejected".
struct RevisionRecord {
    std::string policy;
    std::string revision;
    std::string source;
    std::string tests;
    std::string author;
    std::string comment;
    std::string parent;       // the live revision when it was proposed ("" for the first)
    std::string report_json;  // the test report: {"result","testsRun","testsPassed","problem"?}
    std::string status;
    std::string decided_by;  // who approved or rejected a pending revision
    std::string created_at;  // RFC 3339
    std::int64_t seq = 0;    // order of creation; the list cursor
    bool live = false;
};

struct RevisionPage {
    std::vector<RevisionRecord> items;  // newest first; sources and tests left empty
    std::optional<std::string> next_cursor;
};

struct HostServing {
    std::string host;
    std::string revisions_json;  // {"<policy>": "<revision>", ...}
    std::string seen_at;         // RFC 3339
};

// What an audit event says besides the revision: who and a summary of the change.
struct AuditNote {
    std::string actor;
    std::string summary;  // "source +2 -1 lines; tests unchanged"
};

class RevisionStore {
  public:
    // pool must outlive the store; events may be null (no audit events, e.g. the CLI).
    RevisionStore(store::PgPool& pool, events::EventBus* events);

    // Creates or upgrades the tables (owner admit_policy, schema admit).
    Status migrate();

    // The startup seed: when `record.policy` has never had `record.revision`, stores it as
    // accepted and makes it live (policy.published); answers whether it did. Hosts starting
    // together import a file once (an advisory lock per policy serializes them).
    Result<bool> import_seed(const RevisionRecord& record, const AuditNote& note);
    // Stores an accepted revision and makes it live, unless the live revision is no longer
    // record.parent (someone published meanwhile): CONFLICT.
    Status publish(const RevisionRecord& record, const AuditNote& note);
    // Stores a revision that waits for approval (event policy.submitted).
    Status submit(const RevisionRecord& record, const AuditNote& note);
    // Stores a refused revision and its report (event policy.rejected).
    Status record_rejection(const RevisionRecord& record, const AuditNote& note);
    // Makes a stored accepted revision live again (policy.rolled_back). NOT_FOUND when the policy
    // never had an accepted revision of that id.
    Result<RevisionRecord> roll_back(const std::string& policy, const std::string& revision,
                                     const AuditNote& note);
    // Decides a pending revision: approve makes it live (policy.approved), reject marks it
    // rejected (policy.rejected). NOT_FOUND when no such pending revision; BLOCKED when the
    // approver is its author.
    Result<RevisionRecord> decide_pending(const std::string& policy, const std::string& revision,
                                          bool approve, const AuditNote& note);

    // The live revisions (with source and tests) of every policy.
    Result<std::vector<RevisionRecord>> live_all();
    Result<RevisionPage> list(const std::string& policy, std::optional<std::int64_t> before_seq,
                              std::size_t limit);
    Result<std::optional<RevisionRecord>> get(const std::string& policy,
                                              const std::string& revision);

    // What this host serves now (upsert); and the latest report of every host that reported
    // within `fresh` (hosts that stopped drop out of the list; their rows are deleted after a day).
    Status report_serving(const std::string& host, const std::string& revisions_json);
    Result<std::vector<HostServing>> serving(std::chrono::seconds fresh);

  private:
    store::PgPool& pool_;
    events::EventBus* events_;
};

}  // namespace admit::policy

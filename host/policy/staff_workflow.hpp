// StaffWorkflow: how staff change policies through the admin API (PUT, rollback, approval).
//
// propose(): the candidate is compiled, its tests run (the tests sent, or the live revision's)
// and every decision they obtain and the fallback are checked against the policy's output schema.
// A refusal is stored with its report (event policy.rejected) and answered POLICY_REJECTED; the
// live revision keeps serving. An accepted candidate is stored and made live for the whole fleet
// (policy.published), or, with require_approval, stored as pending (policy.submitted) until an
// admin other than its author approves it. Without a database (no store), a proposal is checked
// and published on this host only, as before (the file is written when no tests were sent).
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include "host/common/result.hpp"
#include "host/policy/policy_types.hpp"
#include "host/policy/revision_store.hpp"

#include <optional>
#include <string>

namespace admit::policy {

class PolicyEngine;
class FleetSync;

struct Proposal {
    std::string name;
    std::string scope;  // "" venue-wide; else the scoped variant "<name>@<scope>" is proposed
    std::string source;
    std::optional<std::string> tests;  // nullopt: the live revision's tests
    std::string comment;
    std::string actor;
};

struct ProposalOutcome {
    PublishReport report;   // result published, unchanged, pending (or rejected with the error)
    RevisionRecord record;  // as stored (empty without a database)
};

class StaffWorkflow {
  public:
    // store and fleet may be null (no database); the others must outlive the workflow.
    StaffWorkflow(PolicyEngine& engine, RevisionStore* store, FleetSync* fleet,
                  bool require_approval);

    // Errors: POLICY_REJECTED (message: file:line: reason (test name); the report is in the
    // engine's history), POLICY_NAME, CONFLICT (the live revision changed since this host served
    // the parent), store errors.
    Result<ProposalOutcome> propose(Proposal proposal);
    // Errors: NOT_FOUND, CONFLICT... as RevisionStore; STATE without a database.
    Result<RevisionRecord> roll_back(const std::string& name, const std::string& revision,
                                     const std::string& actor);
    Result<RevisionRecord> decide(const std::string& name, const std::string& revision,
                                  bool approve, const std::string& actor);

    bool has_history() const { return store_ != nullptr; }
    bool require_approval() const { return require_approval_; }

  private:
    RevisionRecord record_of(const Proposal& proposal, const PublishReport& report,
                             const std::string& tests) const;
    void sync_fleet();

    PolicyEngine& engine_;
    RevisionStore* store_;
    FleetSync* fleet_;
    bool require_approval_;
};

// {"result","testsRun","testsPassed","problem"?: {"file","line","message","failingTest"}}.
std::string report_to_json(const PublishReport& report);

}  // namespace admit::policy

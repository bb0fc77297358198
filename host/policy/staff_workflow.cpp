#include "host/policy/staff_workflow.hpp"

#include "host/policy/fleet_sync.hpp"
#include "host/policy/policy_engine.hpp"
#include "host/policy/policy_files.hpp"
#include "host/policy/revision.hpp"
#include "host/policy/source_diff.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

namespace admit::policy {

std::string report_to_json(const PublishReport& report) {
    boost::json::object o{{"result", to_string(report.result)},
                          {"testsRun", report.tests_run},
                          {"testsPassed", report.tests_passed}};
    if (report.result == PublishResult::rejected) {
        o["problem"] = {{"file", report.problem.file},
                        {"line", report.problem.line},
                        {"message", report.problem.message},
                        {"failingTest", report.problem.failing_test}};
    }
    return boost::json::serialize(o);
}

StaffWorkflow::StaffWorkflow(PolicyEngine& engine, RevisionStore* store, FleetSync* fleet,
                             bool require_approval)
    : engine_(engine), store_(store), fleet_(fleet), require_approval_(require_approval) {}

RevisionRecord StaffWorkflow::record_of(const Proposal& proposal, const PublishReport& report,
                                        const std::string& tests) const {
    RevisionRecord record;
    record.policy = proposal.name;
    record.revision = report.revision;
    record.source = proposal.source;
    record.tests = tests;
    record.author = proposal.actor;
    record.comment = proposal.comment;
    record.parent = report.previous_revision;
    record.report_json = report_to_json(report);
    return record;
}

void StaffWorkflow::sync_fleet() {
    if (fleet_ == nullptr) return;
    if (auto s = fleet_->sync_now(); !s) {
        spdlog::warn("policy sync after a change: {} (the next poll catches up)",
                     s.error().message);
    }
}

Result<ProposalOutcome> StaffWorkflow::propose(Proposal proposal) {
    proposal.name = policy_key(proposal.name, proposal.scope);
    if (store_ == nullptr) {
        auto report =
            proposal.tests
                ? engine_.install(proposal.name, proposal.source, *proposal.tests, proposal.actor)
                : engine_.publish(proposal.name, proposal.source, proposal.actor);
        if (!report) return report.error();
        return ProposalOutcome{report.value(), {}};
    }
    const auto live = engine_.live();
    auto current = live.find(proposal.name);
    std::string tests;
    auto checked =
        engine_.check(proposal.name, proposal.source, proposal.tests, proposal.actor, &tests);
    if (!checked) {
        if (checked.error().code == ErrorCode::POLICY_REJECTED) {
            auto history = engine_.history(proposal.name);
            if (!history.empty()) {
                const RevisionRecord record = record_of(proposal, history.back(), tests);
                const std::string summary =
                    checked.error().message + "; " +
                    diff_summary(current != live.end() ? current->second->source : "",
                                 proposal.source,
                                 current != live.end() ? current->second->test_source : "", tests);
                if (auto s = store_->record_rejection(record, {proposal.actor, summary}); !s) {
                    spdlog::warn("policy {}: could not store the refused revision: {}",
                                 proposal.name, s.error().message);
                }
            }
        }
        return checked.error();
    }
    PublishReport report = checked.value();
    RevisionRecord record = record_of(proposal, report, tests);
    if (report.revision == report.previous_revision) {
        report.result = PublishResult::unchanged;
        return ProposalOutcome{report, record};
    }
    const AuditNote note{
        proposal.actor,
        diff_summary(current != live.end() ? current->second->source : "", proposal.source,
                     current != live.end() ? current->second->test_source : "", tests)};
    if (require_approval_) {
        if (auto s = store_->submit(record, note); !s) return s.error();
        report.result = PublishResult::pending;
        record.status = "pending";
        return ProposalOutcome{report, record};
    }
    record.report_json = report_to_json([&] {
        PublishReport published = report;
        published.result = PublishResult::published;
        return published;
    }());
    if (auto s = store_->publish(record, note); !s) return s.error();
    sync_fleet();
    report.result = PublishResult::published;
    record.status = "accepted";
    record.live = true;
    return ProposalOutcome{report, record};
}

Result<RevisionRecord> StaffWorkflow::roll_back(const std::string& name,
                                                const std::string& revision,
                                                const std::string& actor) {
    if (store_ == nullptr) {
        return Error{ErrorCode::STATE, "rollback needs the revision history ([database])"};
    }
    const auto live = engine_.live();
    auto current = live.find(name);
    auto target = store_->get(name, revision);
    if (!target) return target.error();
    std::string summary = "rollback";
    if (target.value() && current != live.end()) {
        summary = diff_summary(current->second->source, target.value()->source,
                               current->second->test_source, target.value()->tests);
    }
    auto done = store_->roll_back(name, revision, {actor, summary});
    if (!done) return done.error();
    sync_fleet();
    return done;
}

Result<RevisionRecord> StaffWorkflow::decide(const std::string& name, const std::string& revision,
                                             bool approve, const std::string& actor) {
    if (store_ == nullptr) {
        return Error{ErrorCode::STATE, "approval needs the revision history ([database])"};
    }
    auto done = store_->decide_pending(name, revision, approve,
                                       {actor, approve ? "approved" : "rejected by reviewer"});
    if (!done) return done.error();
    if (approve) sync_fleet();
    return done;
}

}  // namespace admit::policy

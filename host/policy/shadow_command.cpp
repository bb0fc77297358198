#include "host/policy/shadow_command.hpp"

#include "host/policy/decision_log.hpp"
#include "host/policy/policy_engine.hpp"
#include "host/policy/policy_files.hpp"
#include "host/policy/revision_store.hpp"
#include "host/policy/shadow_run.hpp"
#include "host/store/pg_pool.hpp"

#include <boost/json.hpp>

namespace admit::policy {

int run_shadow_command(const ShadowCommand& command, std::ostream& out) {
    auto source = read_file(command.candidate_file);
    if (!source) {
        out << "error: cannot read " << command.candidate_file << "\n";
        return 1;
    }
    store::PgOptions pg;
    pg.url = command.pg_url;
    pg.pool_size = 2;
    store::PgPool pool(pg);
    RevisionStore revisions(pool, nullptr);
    auto live = revisions.live_all();
    if (!live) {
        out << "error: " << live.error().message << "\n";
        return 1;
    }
    PolicyEngine engine(command.policies);
    bool known = false;
    for (const auto& record : live.value()) {
        if (record.policy != command.name) continue;
        known = true;
        if (auto installed = engine.install(record.policy, record.source, record.tests, "shadow");
            !installed) {
            out << "error: live revision " << record.revision << ": " << installed.error().message
                << "\n";
            return 1;
        }
    }
    if (!known) {
        out << "error: the database has no live revision of policy '" << command.name << "'\n";
        return 1;
    }
    DecisionLog log(pool, DecisionLogOptions{});
    auto report =
        shadow_run(engine, log, command.name, std::move(*source), command.limit, command.since);
    if (!report) {
        out << "error: " << report.error().message << "\n";
        return 1;
    }
    out << boost::json::serialize(shadow_report_json(report.value())) << "\n";
    return 0;
}

}  // namespace admit::policy

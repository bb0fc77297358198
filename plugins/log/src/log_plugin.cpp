#include "log_plugin.hpp"

#include "log_contracts.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>

namespace admit::log {

namespace {
constexpr int64_t kMicros = 1000000;
}  // namespace

/// Config ([plugin.log]): partition_seconds (604800: one partition a week), retention_seconds (0:
/// keep every entry; otherwise at least partition_seconds), maintenance_interval_ms (3600000),
/// export_max_entries (100000).
sdk::Status LogPlugin::init(sdk::Host& host) {
    host_ = &host;
    if (sodium_init() < 0) return sdk::Error::internal("log: libsodium failed to initialise");
    const int64_t partition_seconds = host.config_int("partition_seconds", 7 * 24 * 3600);
    const int64_t retention_seconds = host.config_int("retention_seconds", 0);
    const int64_t maintenance_ms = host.config_int("maintenance_interval_ms", 3600 * 1000);
    export_max_entries_ = host.config_int("export_max_entries", 100000);
    if (partition_seconds <= 0) return sdk::Error::invalid("log: partition_seconds must be > 0");
    if (retention_seconds != 0 && retention_seconds < partition_seconds)
        return sdk::Error::invalid(
            "log: retention_seconds must be 0 (keep everything) or at least partition_seconds");
    if (maintenance_ms <= 0) return sdk::Error::invalid("log: maintenance_interval_ms must be > 0");
    if (export_max_entries_ <= 0) return sdk::Error::invalid("log: export_max_entries must be > 0");

    partitions_ =
        std::make_unique<Partitions>(partition_seconds * kMicros, retention_seconds * kMicros);
    writer_ = std::make_unique<AuditWriter>(host.handle(), *partitions_,
                                            [&host] { return host.now_us(); });
    query_ = std::make_unique<AuditQuery>(host.db());
    verifier_ = std::make_unique<ChainVerifier>(host.db());

    ADMIT_TRY(host.register_migrations());
    // What is audited: every event by default; `topics` ("reservation.*,payment.*") narrows it
    // (a venue that audits elsewhere, or a test that must not see the host's own policy events).
    // The first subscription is "audit", further ones "audit_2", "audit_3", ...
    const std::string topics = host.config_string("topics", "*");
    std::size_t count = 0;
    for (std::size_t start = 0; start <= topics.size();) {
        const auto comma = std::min(topics.find(',', start), topics.size());
        std::string topic = topics.substr(start, comma - start);
        start = comma + 1;
        topic.erase(0, topic.find_first_not_of(' '));
        topic.erase(topic.find_last_not_of(' ') + 1);
        if (topic.empty()) continue;
        const std::string name = ++count == 1 ? "audit" : "audit_" + std::to_string(count);
        ADMIT_TRY(host.subscribe(topic, name, [this](sdk::Tx& tx, const sdk::Event& event) {
            return writer_->append(tx, event);
        }));
    }
    if (count == 0) return sdk::Error::invalid("log: topics names no topic");
    ADMIT_TRY(host.route("GET", "/api/v1/admin/audit", "admin", &LogPlugin::list, this,
                         {.summary = "Audit entries, newest first (actor, resource, action, "
                                     "from, to, cursor, limit)",
                          .operation_id = "listAuditEntries",
                          .contract = contracts::list()}));
    ADMIT_TRY(host.route("GET", "/api/v1/admin/audit/verify", "admin", &LogPlugin::verify, this,
                         {.summary = "Recomputes the audit hash chain over from..to and reports "
                                     "the first broken link",
                          .operation_id = "verifyAuditChain",
                          .contract = contracts::verify()}));
    ADMIT_TRY(host.route("GET", "/api/v1/admin/audit/export", "admin", &LogPlugin::export_lines,
                         this,
                         {.summary = "Audit entries of from..to as JSON Lines, in chain order",
                          .operation_id = "exportAuditEntries",
                          .contract = contracts::export_lines()}));
    return host.periodic_job(
        "maintain_partitions", std::chrono::milliseconds(maintenance_ms), [this]() -> sdk::Status {
            auto dropped = partitions_->maintain(host_->db(), host_->now_us());
            if (!dropped) return dropped.error();
            if (*dropped > 0)
                host_->info("log: retention dropped ", *dropped, " audit partition(s)");
            return {};
        });
}

sdk::Status LogPlugin::start() {
    ADMIT_TRY(adopt_writer_role());
    auto maintained = partitions_->maintain(host_->db(), host_->now_us());
    if (!maintained) return maintained.error();
    return {};
}

sdk::Status LogPlugin::adopt_writer_role() {
    auto role = host_->db().exec(
        "SELECT 1 FROM pg_roles r WHERE r.rolname = 'admit_log_writer' "
        "AND pg_has_role(current_user, r.oid, 'MEMBER')");
    if (!role) return role.error();
    if (role->empty()) {
        writer_->use_writer_role(false);
        host_->warn(
            "log: role admit_log_writer is missing or not granted to this database user: audit "
            "entries are written as the host's user (the append-only triggers still refuse "
            "changes); see plugins/log/README.md");
        return {};
    }
    // The tables' owner grants exactly INSERT and SELECT (again at each start: the role may have
    // been created after the migration ran).
    // Under the chain lock: partition DDL of the maintenance job (which may already run) would
    // otherwise update the same catalog rows ("tuple concurrently updated").
    ADMIT_TRY(host_->db().transaction([](sdk::Tx& tx) -> sdk::Status {
        ADMIT_TRY(chain_lock(tx));
        for (const char* statement :
             {"REVOKE ALL ON ALL TABLES IN SCHEMA log FROM admit_log_writer",
              "GRANT USAGE ON SCHEMA log TO admit_log_writer",
              "GRANT SELECT, INSERT ON log.entries, log.recorded_events TO admit_log_writer",
              "GRANT SELECT ON log.partitions, log.anchors TO admit_log_writer"}) {
            auto done = tx.exec(statement);
            if (!done) return done.error();
        }
        return {};
    }));
    writer_->use_writer_role(true);
    return {};
}

sdk::Response LogPlugin::list(const sdk::Request& request) {
    auto filter = AuditFilter::from_request(request);
    if (!filter) return sdk::Response::from_error(filter.error());
    auto limit = sdk::page_limit(request);
    if (!limit) return sdk::Response::from_error(limit.error());
    auto page = query_->page(*filter, *limit);
    if (!page) return sdk::Response::from_error(page.error());
    return sdk::Response::json(200, *page);
}

sdk::Response LogPlugin::verify(const sdk::Request& request) {
    auto filter = AuditFilter::from_request(request);
    if (!filter) return sdk::Response::from_error(filter.error());
    // Whole chain by default: from the epoch to just after now.
    const int64_t from = filter->from_us.value_or(0);
    const int64_t to = filter->to_us.value_or(host_->now_us() + kMicros);
    auto report = verifier_->verify(from, to);
    if (!report) return sdk::Response::from_error(report.error());
    return sdk::Response::json(200, *report);
}

sdk::Response LogPlugin::export_lines(const sdk::Request& request) {
    auto filter = AuditFilter::from_request(request);
    if (!filter) return sdk::Response::from_error(filter.error());
    if (!filter->from_us || !filter->to_us)
        return sdk::Response::invalid_request(
            "query parameters 'from' and 'to' are required for an export");
    auto lines = query_->export_lines(*filter, export_max_entries_);
    if (!lines) {
        if (lines.error().status == ADMIT_E_REJECTED)
            return sdk::Response::error(422, "EXPORT_TOO_LARGE", lines.error().message);
        return sdk::Response::from_error(lines.error());
    }
    return sdk::Response::text(200, std::move(*lines), "application/x-ndjson; charset=utf-8");
}

}  // namespace admit::log

ADMIT_PLUGIN(log, admit::log::LogPlugin, "0.1.0");

#include "host/policy/revision_store.hpp"

#include "host/events/event_bus.hpp"
#include "host/policy/revision_schema.hpp"
#include "host/store/pg_transaction.hpp"
#include "host/store/row_sinks.hpp"
#include "host/store/sql_exec.hpp"

#include <boost/json.hpp>

namespace admit::policy {
namespace {

using Params = std::vector<std::optional<std::string>>;
using store::CollectingRowSink;

constexpr const char* kColumns =
    "r.policy, r.revision, r.source, r.tests, r.author, r.comment, coalesce(r.parent, ''), "
    "r.report, r.status, coalesce(r.decided_by, ''), "
    "to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), r.seq, "
    "(l.revision IS NOT NULL)";

RevisionRecord record_from(const CollectingRowSink::Row& row) {
    auto text = [&](std::size_t i) { return row.at(i).value_or(""); };
    RevisionRecord r;
    r.policy = text(0);
    r.revision = text(1);
    r.source = text(2);
    r.tests = text(3);
    r.author = text(4);
    r.comment = text(5);
    r.parent = text(6);
    r.report_json = text(7);
    r.status = text(8);
    r.decided_by = text(9);
    r.created_at = text(10);
    r.seq = std::stoll(text(11));
    r.live = text(12) == "t";
    return r;
}

Params insert_params(const RevisionRecord& r, const std::string& status) {
    return {r.policy,
            r.revision,
            r.source,
            r.tests,
            r.author,
            r.comment,
            r.parent.empty() ? std::nullopt : std::optional<std::string>(r.parent),
            r.report_json,
            status};
}

// Stores the revision; an existing row of the same id keeps its history unless it was refused
// or pending and is now accepted.
Status insert_revision(pqxx::work& tx, const RevisionRecord& r, const std::string& status) {
    static const std::string sql =
        "INSERT INTO admit.policy_revisions (policy, revision, source, tests, author, comment, "
        "parent, report, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT (policy, revision) DO UPDATE SET status = EXCLUDED.status, "
        "report = EXCLUDED.report WHERE admit.policy_revisions.status <> 'accepted'";
    auto params = insert_params(r, status);
    auto done = store::execute(tx, sql, params, nullptr);
    if (!done) return done.error();
    return {};
}

Status lock_policy(pqxx::work& tx, const std::string& policy) {
    static const std::string sql = "SELECT pg_advisory_xact_lock(hashtext('admit_policy:' || $1))";
    const Params params{policy};
    CollectingRowSink ignored;
    auto done = store::execute(tx, sql, params, &ignored);
    if (!done) return done.error();
    return {};
}

Result<std::string> live_revision(pqxx::work& tx, const std::string& policy) {
    static const std::string sql = "SELECT revision FROM admit.policy_live WHERE policy = $1";
    const Params params{policy};
    CollectingRowSink rows;
    auto done = store::execute(tx, sql, params, &rows);
    if (!done) return done.error();
    return rows.rows.empty() ? std::string() : rows.rows[0][0].value_or("");
}

// Points the policy at the revision and tells every host (NOTIFY is sent at commit).
Status set_live(pqxx::work& tx, const std::string& policy, const std::string& revision,
                const std::string& actor) {
    static const std::string upsert =
        "INSERT INTO admit.policy_live (policy, revision, changed_by) VALUES ($1, $2, $3) "
        "ON CONFLICT (policy) DO UPDATE SET revision = EXCLUDED.revision, "
        "changed_by = EXCLUDED.changed_by, changed_at = now()";
    static const std::string notify = std::string("SELECT pg_notify('") + kPolicyChannel + "', $1)";
    const Params params{policy, revision, actor};
    if (auto done = store::execute(tx, upsert, params, nullptr); !done) return done.error();
    const Params channel{policy};
    CollectingRowSink ignored;
    if (auto done = store::execute(tx, notify, channel, &ignored); !done) return done.error();
    return {};
}

Status audit(events::EventBus* events, pqxx::work& tx, const std::string& topic,
             const std::string& policy, const std::string& revision, const std::string& previous,
             const AuditNote& note, const std::string& comment) {
    if (events == nullptr) return {};
    boost::json::object payload{
        {"policy", policy},    {"revision", revision},    {"previousRevision", previous},
        {"actor", note.actor}, {"summary", note.summary}, {"comment", comment}};
    auto published = events->publish(tx, topic, policy, boost::json::serialize(payload));
    if (!published) return published.error();
    return {};
}

Result<std::optional<RevisionRecord>> fetch(pqxx::transaction_base& tx, const std::string& policy,
                                            const std::string& revision) {
    static const std::string sql = std::string("SELECT ") + kColumns +
                                   " FROM admit.policy_revisions r LEFT JOIN admit.policy_live l "
                                   "ON l.policy = r.policy AND l.revision = r.revision "
                                   "WHERE r.policy = $1 AND r.revision = $2";
    const Params params{policy, revision};
    CollectingRowSink rows;
    auto done = store::execute(tx, sql, params, &rows);
    if (!done) return done.error();
    if (rows.rows.empty()) return std::optional<RevisionRecord>();
    return std::optional<RevisionRecord>(record_from(rows.rows[0]));
}

// Locks the policy and reads a revision in `status`; NOT_FOUND (with `missing`) otherwise.
Result<RevisionRecord> locked_revision(pqxx::work& tx, const std::string& policy,
                                       const std::string& revision, const std::string& status,
                                       const std::string& missing) {
    if (auto s = lock_policy(tx, policy); !s) return s.error();
    auto target = fetch(tx, policy, revision);
    if (!target) return target.error();
    if (!target.value() || target.value()->status != status) {
        return Error{ErrorCode::NOT_FOUND,
                     "policy " + policy + " has no " + missing + " " + revision};
    }
    return std::move(*target.value());
}

}  // namespace

RevisionStore::RevisionStore(store::PgPool& pool, events::EventBus* events)
    : pool_(pool), events_(events) {}

Status RevisionStore::migrate() {
    return store::apply_migrations(pool_, kPolicyMigrationOwner, kPolicySchema,
                                   policy_migrations());
}

Result<bool> RevisionStore::import_seed(const RevisionRecord& record, const AuditNote& note) {
    bool imported = false;
    Status done = store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        if (auto s = lock_policy(tx, record.policy); !s) return s;
        auto existing = fetch(tx, record.policy, record.revision);
        if (!existing) return existing.error();
        if (existing.value() && existing.value()->status == "accepted") return {};
        auto previous = live_revision(tx, record.policy);
        if (!previous) return previous.error();
        RevisionRecord seeded = record;
        seeded.parent = previous.value();
        if (auto s = insert_revision(tx, seeded, "accepted"); !s) return s;
        if (auto s = set_live(tx, record.policy, record.revision, note.actor); !s) return s;
        imported = true;
        return audit(events_, tx, "policy.published", record.policy, record.revision,
                     previous.value(), note, record.comment);
    });
    if (!done) return done.error();
    return imported;
}

Status RevisionStore::publish(const RevisionRecord& record, const AuditNote& note) {
    return store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        if (auto s = lock_policy(tx, record.policy); !s) return s;
        auto previous = live_revision(tx, record.policy);
        if (!previous) return previous.error();
        if (previous.value() != record.parent) {
            return Error{ErrorCode::CONFLICT, "policy " + record.policy + " changed meanwhile: " +
                                                  "its live revision is now " + previous.value() +
                                                  "; review it and publish again"};
        }
        if (auto s = insert_revision(tx, record, "accepted"); !s) return s;
        if (auto s = set_live(tx, record.policy, record.revision, note.actor); !s) return s;
        return audit(events_, tx, "policy.published", record.policy, record.revision,
                     previous.value(), note, record.comment);
    });
}

Status RevisionStore::submit(const RevisionRecord& record, const AuditNote& note) {
    return store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        if (auto s = insert_revision(tx, record, "pending"); !s) return s;
        return audit(events_, tx, "policy.submitted", record.policy, record.revision, record.parent,
                     note, record.comment);
    });
}

Status RevisionStore::record_rejection(const RevisionRecord& record, const AuditNote& note) {
    return store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        if (auto s = insert_revision(tx, record, "rejected"); !s) return s;
        return audit(events_, tx, "policy.rejected", record.policy, record.revision, record.parent,
                     note, record.comment);
    });
}

Result<RevisionRecord> RevisionStore::roll_back(const std::string& policy,
                                                const std::string& revision,
                                                const AuditNote& note) {
    RevisionRecord result;
    Status done = store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        auto target = locked_revision(tx, policy, revision, "accepted", "accepted revision");
        if (!target) return target.error();
        auto previous = live_revision(tx, policy);
        if (!previous) return previous.error();
        if (auto s = set_live(tx, policy, revision, note.actor); !s) return s;
        result = std::move(target.value());
        result.live = true;
        return audit(events_, tx, "policy.rolled_back", policy, revision, previous.value(), note,
                     result.comment);
    });
    if (!done) return done.error();
    return result;
}

Result<RevisionRecord> RevisionStore::decide_pending(const std::string& policy,
                                                     const std::string& revision, bool approve,
                                                     const AuditNote& note) {
    RevisionRecord result;
    Status done = store::run_transaction(pool_, [&](pqxx::work& tx) -> Status {
        auto target =
            locked_revision(tx, policy, revision, "pending", "revision waiting for approval");
        if (!target) return target.error();
        if (approve && target->author == note.actor) {
            return Error{ErrorCode::BLOCKED,
                         "a revision needs a second person's approval, not its author's"};
        }
        static const std::string decide =
            "UPDATE admit.policy_revisions SET status = $3, decided_by = $4 "
            "WHERE policy = $1 AND revision = $2";
        const Params params{policy, revision, approve ? "accepted" : "rejected", note.actor};
        if (auto s = store::execute(tx, decide, params, nullptr); !s) return s.error();
        auto previous = live_revision(tx, policy);
        if (!previous) return previous.error();
        result = std::move(target.value());
        result.status = approve ? "accepted" : "rejected";
        result.decided_by = note.actor;
        if (approve) {
            if (auto s = set_live(tx, policy, revision, note.actor); !s) return s;
            result.live = true;
        }
        return audit(events_, tx, approve ? "policy.approved" : "policy.rejected", policy, revision,
                     previous.value(), note, result.comment);
    });
    if (!done) return done.error();
    return result;
}

Result<std::vector<RevisionRecord>> RevisionStore::live_all() {
    static const std::string sql = std::string("SELECT ") + kColumns +
                                   " FROM admit.policy_live l JOIN admit.policy_revisions r "
                                   "ON l.policy = r.policy AND l.revision = r.revision";
    CollectingRowSink rows;
    auto done = store::execute(pool_, sql, {}, &rows);
    if (!done) return done.error();
    std::vector<RevisionRecord> out;
    for (const auto& row : rows.rows) out.push_back(record_from(row));
    return out;
}

Result<RevisionPage> RevisionStore::list(const std::string& policy,
                                         std::optional<std::int64_t> before_seq,
                                         std::size_t limit) {
    static const std::string sql =
        "SELECT r.policy, r.revision, '', '', r.author, r.comment, coalesce(r.parent, ''), "
        "r.report, r.status, coalesce(r.decided_by, ''), "
        "to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), r.seq, "
        "(l.revision IS NOT NULL) FROM admit.policy_revisions r LEFT JOIN admit.policy_live l "
        "ON l.policy = r.policy AND l.revision = r.revision "
        "WHERE r.policy = $1 AND ($2::bigint IS NULL OR r.seq < $2::bigint) "
        "ORDER BY r.seq DESC LIMIT $3";
    const Params params{
        policy, before_seq ? std::optional<std::string>(std::to_string(*before_seq)) : std::nullopt,
        std::to_string(limit + 1)};
    CollectingRowSink rows;
    auto done = store::execute(pool_, sql, params, &rows);
    if (!done) return done.error();
    RevisionPage page;
    for (const auto& row : rows.rows) page.items.push_back(record_from(row));
    if (page.items.size() > limit) {
        page.items.resize(limit);
        page.next_cursor = std::to_string(page.items.back().seq);
    }
    return page;
}

Result<std::optional<RevisionRecord>> RevisionStore::get(const std::string& policy,
                                                         const std::string& revision) {
    auto lease = pool_.acquire();
    if (!lease) return lease.error();
    try {
        pqxx::read_transaction tx(lease->conn());
        return fetch(tx, policy, revision);
    } catch (const std::exception& e) {
        lease->discard();
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, e.what()};
    }
}

Status RevisionStore::report_serving(const std::string& host, const std::string& revisions_json) {
    static const std::string sql =
        "INSERT INTO admit.policy_hosts (host, revisions) VALUES ($1, $2) "
        "ON CONFLICT (host) DO UPDATE SET revisions = EXCLUDED.revisions, seen_at = now()";
    static const std::string forget =
        "DELETE FROM admit.policy_hosts WHERE seen_at < now() - interval '1 day'";
    const Params params{host, revisions_json};
    auto done = store::execute(pool_, sql, params, nullptr);
    if (!done) return done.error();
    if (auto forgotten = store::execute(pool_, forget, {}, nullptr); !forgotten) {
        return forgotten.error();
    }
    return {};
}

Result<std::vector<HostServing>> RevisionStore::serving(std::chrono::seconds fresh) {
    static const std::string sql =
        "SELECT host, revisions, "
        "to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
        "FROM admit.policy_hosts WHERE seen_at >= now() - make_interval(secs => $1::bigint) "
        "ORDER BY host";
    const Params params{std::to_string(fresh.count())};
    CollectingRowSink rows;
    auto done = store::execute(pool_, sql, params, &rows);
    if (!done) return done.error();
    std::vector<HostServing> out;
    for (const auto& row : rows.rows) {
        out.push_back({row[0].value_or(""), row[1].value_or("{}"), row[2].value_or("")});
    }
    return out;
}

}  // namespace admit::policy

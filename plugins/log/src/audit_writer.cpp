#include "audit_writer.hpp"

namespace admit::log {

sdk::Status AuditWriter::load_anchor(sdk::Tx& tx, int64_t& seq, std::string& hash) {
    auto anchor = tx.exec(
        "SELECT last_seq, last_hash FROM log.anchors WHERE last_seq IS NOT NULL "
        "ORDER BY last_seq DESC LIMIT 1");
    if (!anchor) return anchor.error();
    if (!anchor->empty()) {
        seq = anchor->front().int64("last_seq").value_or(0);
        hash = anchor->front().text("last_hash");
        return {};
    }
    seq = 0;
    hash = kGenesisHash;
    return {};
}

sdk::Status AuditWriter::append(sdk::Tx& tx, const sdk::Event& event) {
    AuditEntry entry = describe_event(event);
    // The lock first, in its own statement: a statement reads the snapshot of its start, so the
    // head must be read by a later one to see the append committed just before the lock was ours.
    ADMIT_TRY(chain_lock(tx));
    auto state = tx.exec(
        "SELECT EXISTS (SELECT 1 FROM log.recorded_events WHERE event_id = $1) AS seen, "
        "head.seq, head.hash FROM (SELECT 1) AS one LEFT JOIN LATERAL "
        "(SELECT seq, hash FROM log.entries ORDER BY seq DESC LIMIT 1) AS head ON true",
        entry.event_id);
    if (!state) return state.error();
    const auto& row = state->front();
    if (row.boolean("seen").value_or(false)) return {};  // recorded before: a redelivery

    entry.recorded_us = clock_();
    ADMIT_TRY(partitions_.ensure(tx, entry.recorded_us));
    int64_t head_seq = 0;
    if (row.is_null("seq")) {
        ADMIT_TRY(load_anchor(tx, head_seq, entry.prev_hash));  // empty table: after retention
    } else {
        head_seq = row.int64("seq").value_or(0);
        entry.prev_hash = row.text("hash");
    }
    entry.seq = head_seq + 1;
    entry.hash = chain_hash(entry);

    const bool as_writer = writer_role();
    if (as_writer) {
        auto role = tx.exec("SET LOCAL ROLE admit_log_writer");
        if (!role) return role.error();
    }
    auto inserted = tx.exec(
        "WITH entry AS (INSERT INTO log.entries (seq, event_id, occurred_us, recorded_us, actor, "
        "action, resource_type, resource_id, trace_id, policy_revision, summary, prev_hash, hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::json, $12, $13) "
        "RETURNING seq, event_id, recorded_us) "
        "INSERT INTO log.recorded_events (event_id, seq, recorded_us) "
        "SELECT event_id, seq, recorded_us FROM entry",
        entry.seq, entry.event_id, entry.occurred_us, entry.recorded_us, entry.actor, entry.action,
        entry.resource_type, entry.resource_id, entry.trace_id, entry.policy_revision,
        entry.summary, entry.prev_hash, entry.hash);
    if (!inserted) return inserted.error();
    if (as_writer) {
        // Whatever runs after this handler in the transaction runs as the host's own user again.
        auto reset = tx.exec("RESET ROLE");
        if (!reset) return reset.error();
    }
    return {};
}

}  // namespace admit::log

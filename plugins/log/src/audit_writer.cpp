#include "audit_writer.hpp"

namespace admit::log {

namespace {

/// Records the event id and its entry in one statement; no row when the id was recorded before
/// (then nothing is written and the entry's seq stays free).
constexpr const char* kInsertEntry =
    "WITH fresh AS (INSERT INTO log.recorded_events (event_id, seq, recorded_us) "
    "VALUES ($2::text, $1::bigint, $4::bigint) ON CONFLICT (event_id) DO NOTHING "
    "RETURNING event_id) "
    "INSERT INTO log.entries (seq, event_id, occurred_us, recorded_us, actor, action, "
    "resource_type, resource_id, trace_id, policy_revision, summary, prev_hash, hash) "
    "SELECT $1::bigint, event_id, $3::bigint, $4::bigint, $5::text, $6::text, $7::text, "
    "$8::text, $9::text, $10::text, $11::json, $12::text, $13::text FROM fresh RETURNING seq";

}  // namespace

AuditWriter::OpenTransaction& AuditWriter::this_thread() {
    thread_local OpenTransaction open;
    return open;
}

void AuditWriter::transaction_ended(void*, int32_t) noexcept { this_thread() = OpenTransaction{}; }

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

sdk::Status AuditWriter::open_chain(sdk::Tx& tx, OpenTransaction& open) {
    // The lock first, in its own statement: a statement reads the snapshot of its start, so the
    // head must be read by a later one to see the append committed just before the lock was ours.
    ADMIT_TRY(chain_lock(tx));
    auto head = tx.exec("SELECT seq, hash FROM log.entries ORDER BY seq DESC LIMIT 1");
    if (!head) return head.error();
    int64_t seq = 0;
    std::string hash;
    if (head->empty()) {
        ADMIT_TRY(load_anchor(tx, seq, hash));  // empty table: after retention, or the first one
    } else {
        seq = head->front().int64("seq").value_or(0);
        hash = head->front().text("hash");
    }
    // Committed or rolled back, the next transaction on this thread starts from the lock again.
    // (Tx::on_commit runs its work after a commit only; the ABI reports every end.)
    sdk::StringSink error;
    ADMIT_TRY(sdk::status_of(
        host_.api->tx_on_commit(tx.raw(), &AuditWriter::transaction_ended, nullptr, error.get()),
        error));
    open = OpenTransaction{this, seq, std::move(hash), false};
    return {};
}

sdk::Status AuditWriter::switch_role(sdk::Tx& tx, OpenTransaction& open, bool as_writer) {
    if (open.as_writer == as_writer) return {};
    auto switched = tx.exec(as_writer ? "SET LOCAL ROLE admit_log_writer" : "RESET ROLE");
    if (!switched) return switched.error();
    open.as_writer = as_writer;
    return {};
}

sdk::Status AuditWriter::append(sdk::Tx& tx, const sdk::Event& event) {
    AuditEntry entry = describe_event(event);
    OpenTransaction& open = this_thread();
    if (open.writer != this) ADMIT_TRY(open_chain(tx, open));

    entry.recorded_us = clock_();
    if (!partitions_.known(entry.recorded_us)) {
        // Creating a partition is DDL, which the writer role may not do: as the host's user.
        ADMIT_TRY(switch_role(tx, open, false));
        ADMIT_TRY(partitions_.ensure(tx, entry.recorded_us));
    }
    ADMIT_TRY(switch_role(tx, open, writer_role()));

    entry.seq = open.seq + 1;
    entry.prev_hash = open.hash;
    entry.hash = chain_hash(entry);
    auto inserted =
        tx.exec(kInsertEntry, entry.seq, entry.event_id, entry.occurred_us, entry.recorded_us,
                entry.actor, entry.action, entry.resource_type, entry.resource_id, entry.trace_id,
                entry.policy_revision, entry.summary, entry.prev_hash, entry.hash);
    if (!inserted) return inserted.error();
    if (inserted->empty()) return {};  // recorded before: a redelivery
    open.seq = entry.seq;
    open.hash = std::move(entry.hash);
    return {};
}

}  // namespace admit::log

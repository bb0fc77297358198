#include "audit_writer.hpp"

#include <unordered_set>

namespace admit::log {

namespace {

/// The event ids of a batch that were recorded before (the batch's ids as one JSON array).
constexpr const char* kRecordedBefore =
    "SELECT r.event_id FROM log.recorded_events r "
    "JOIN json_array_elements_text($1::json) AS batch(event_id) ON r.event_id = batch.event_id";

/// Writes a batch of chained entries and their idempotency records in one statement. The batch
/// is one JSON array of objects; `summary` travels as a string and is cast to json only here, so
/// the stored text is exactly the hashed text.
constexpr const char* kInsertEntries =
    "WITH batch AS (SELECT * FROM json_to_recordset($1::json) AS b(seq bigint, event_id text, "
    "occurred_us bigint, recorded_us bigint, actor text, action text, resource_type text, "
    "resource_id text, trace_id text, policy_revision text, summary text, prev_hash text, "
    "hash text)), "
    "recorded AS (INSERT INTO log.recorded_events (event_id, seq, recorded_us) "
    "SELECT event_id, seq, recorded_us FROM batch) "
    "INSERT INTO log.entries (seq, event_id, occurred_us, recorded_us, actor, action, "
    "resource_type, resource_id, trace_id, policy_revision, summary, prev_hash, hash) "
    "SELECT seq, event_id, occurred_us, recorded_us, actor, action, resource_type, resource_id, "
    "trace_id, policy_revision, summary::json, prev_hash, hash FROM batch ORDER BY seq";

boost::json::value optional_text(const std::optional<std::string>& text) {
    if (!text) return nullptr;
    return boost::json::string(*text);
}

boost::json::object batch_row(const AuditEntry& e) {
    return {{"seq", e.seq},
            {"event_id", e.event_id},
            {"occurred_us", e.occurred_us},
            {"recorded_us", e.recorded_us},
            {"actor", e.actor},
            {"action", e.action},
            {"resource_type", e.resource_type},
            {"resource_id", optional_text(e.resource_id)},
            {"trace_id", optional_text(e.trace_id)},
            {"policy_revision", optional_text(e.policy_revision)},
            {"summary", e.summary},
            {"prev_hash", e.prev_hash},
            {"hash", e.hash}};
}

}  // namespace

sdk::Status AuditWriter::append(sdk::Tx& tx, const sdk::Event& event) {
    auto pending = pending_.open(tx);
    if (!pending) return std::move(pending).error();
    (*pending)->push_back(describe_event(event));
    return {};
}

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

sdk::Status AuditWriter::read_head(sdk::Tx& tx, int64_t& seq, std::string& hash) {
    // The lock first, in its own statement: a statement reads the snapshot of its start, so the
    // head must be read by a later one to see the append committed just before the lock was ours.
    ADMIT_TRY(chain_lock(tx));
    auto head = tx.exec("SELECT seq, hash FROM log.entries ORDER BY seq DESC LIMIT 1");
    if (!head) return head.error();
    if (head->empty()) return load_anchor(tx, seq, hash);  // after retention, or the first one
    seq = head->front().int64("seq").value_or(0);
    hash = head->front().text("hash");
    return {};
}

sdk::Result<std::vector<AuditEntry>> AuditWriter::unrecorded(sdk::Tx& tx,
                                                             std::vector<AuditEntry> entries) {
    boost::json::array ids;
    for (const auto& e : entries) ids.emplace_back(e.event_id);
    auto before = tx.exec(kRecordedBefore, boost::json::serialize(ids));
    if (!before) return before.error();
    std::unordered_set<std::string> seen;
    for (const auto& row : *before) seen.insert(row.text("event_id"));
    std::vector<AuditEntry> fresh;
    fresh.reserve(entries.size());
    for (auto& e : entries) {
        if (seen.insert(e.event_id).second) fresh.push_back(std::move(e));
    }
    return fresh;
}

sdk::Status AuditWriter::write_pending(sdk::Tx& tx, std::vector<AuditEntry>& gathered) {
    std::vector<AuditEntry> pending = std::move(gathered);
    gathered.clear();
    if (pending.empty()) return {};

    int64_t seq = 0;
    std::string hash;
    ADMIT_TRY(read_head(tx, seq, hash));
    // Recorded under the lock: recording times follow the chain's order, which retention (whole
    // partitions by recording time) relies on.
    const int64_t recorded_us = clock_();
    if (!partitions_.known(recorded_us)) {
        // Creating a partition is DDL, which the writer role may not do: as the host's user,
        // before the role is assumed.
        ADMIT_TRY(partitions_.ensure(tx, recorded_us));
    }
    if (writer_role()) {
        auto switched = tx.exec("SET LOCAL ROLE admit_log_writer");
        if (!switched) return switched.error();
    }
    auto fresh = unrecorded(tx, std::move(pending));
    if (!fresh) return fresh.error();
    if (fresh->empty()) return {};  // every one recorded before: redeliveries

    boost::json::array batch;
    batch.reserve(fresh->size());
    for (auto& entry : *fresh) {
        entry.recorded_us = recorded_us;
        entry.seq = ++seq;
        entry.prev_hash = std::move(hash);
        entry.hash = chain_hash(entry);
        hash = entry.hash;
        batch.push_back(batch_row(entry));
    }
    auto inserted = tx.exec(kInsertEntries, boost::json::serialize(batch));
    if (!inserted) return inserted.error();
    return {};
}

}  // namespace admit::log

#include "host/events/fan_out_target.hpp"

#include <utility>

#include "host/events/event_sql.hpp"
#include "host/store/sql_exec.hpp"

namespace admit::events {

namespace {

// No FOR UPDATE on the batch: the relay runs under its advisory lock (outbox_relay.cpp), which
// keeps every other relay out, and a row lock cost one more WAL record per event.
const std::string& fan_out_sql() {
    static const std::string sql = R"sql(
WITH batch AS (
    SELECT id FROM admit.event_outbox WHERE relayed_at IS NULL ORDER BY id LIMIT $1),
marked AS (
    UPDATE admit.event_outbox o SET relayed_at = now() FROM batch WHERE o.id = batch.id
    RETURNING o.id, o.topic, o.key, o.payload, o.published_at),
subs AS (
    SELECT * FROM unnest($2::text[], $3::text[]) AS s(subscriber, pattern)),
queued AS (
    INSERT INTO admit.event_deliveries
        (subscriber, event_id, topic, key, key_hash, payload, published_at, next_attempt_at)
    SELECT s.subscriber, m.id, m.topic, m.key, hashtext(m.key), m.payload, m.published_at,
           m.published_at
    FROM marked m JOIN subs s ON CASE WHEN right(s.pattern, 1) = '*'
                                      THEN starts_with(m.topic, left(s.pattern, -1))
                                      ELSE m.topic = s.pattern END
    ORDER BY m.id, s.subscriber
    ON CONFLICT (subscriber, event_id) DO NOTHING
    RETURNING subscriber, key_hash, seq)
SELECT r.relayed, q.subscriber, q.key_hash, q.first_seq
FROM (SELECT count(*) AS relayed FROM marked) r
LEFT JOIN (SELECT subscriber, key_hash::bigint & 2147483647 AS key_hash, min(seq) AS first_seq
           FROM queued GROUP BY 1, 2) q ON true
)sql";
    return sql;
}

}  // namespace

FanOutTarget::FanOutTarget(std::vector<std::string> subscribers, std::vector<std::string> patterns,
                           OnCommitted on_committed)
    : subscribers_literal_(text_array_literal(subscribers)),
      patterns_literal_(text_array_literal(patterns)),
      on_committed_(std::move(on_committed)) {}

Result<std::size_t> FanOutTarget::relay(pqxx::work& tx, std::size_t batch) {
    queued_.clear();  // a rolled-back relay woke nobody
    // One row per (subscriber, key hash) queued, each with the relayed count; a single row with
    // NULLs beside the count when nothing was queued.
    const auto rows =
        store::exec_prepared(tx, fan_out_sql(), batch, subscribers_literal_, patterns_literal_);
    for (const auto& row : rows) {
        if (row["subscriber"].is_null()) continue;
        queued_.push_back({row["subscriber"].as<std::string>(), row["key_hash"].as<std::int64_t>(),
                           row["first_seq"].as<std::int64_t>()});
    }
    return rows[0]["relayed"].as<std::size_t>();
}

void FanOutTarget::committed() {
    if (on_committed_ && !queued_.empty()) on_committed_(queued_);
    queued_.clear();
}

}  // namespace admit::events

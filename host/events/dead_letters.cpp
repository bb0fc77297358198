#include "host/events/dead_letters.hpp"

#include "host/events/event_sql.hpp"
#include "host/store/pg_transaction.hpp"

namespace admit::events {

Result<std::vector<DeadLetter>> list_dead_letters(store::PgPool& pool, std::size_t limit) {
    const std::string sql =
        "SELECT id, subscriber, event_id, topic, key, payload, attempts - 1 AS attempts, error, " +
        timestamptz_to_micros("published_at") + " AS published_us, " +
        timestamptz_to_micros("parked_at") +
        " AS parked_us FROM admit.event_dead_letters "
        "WHERE replayed_at IS NULL ORDER BY id LIMIT $1";
    std::vector<DeadLetter> letters;
    const Status status = store::run_transaction(pool, [&](pqxx::work& tx) -> Status {
        for (const auto& row : tx.exec_params(sql, limit)) {
            DeadLetter letter;
            letter.id = row["id"].as<std::int64_t>();
            letter.subscriber = row["subscriber"].as<std::string>();
            letter.event = event_from_row(row);  // event.attempt = attempts made
            letter.error = row["error"].as<std::string>();
            letter.parked_at_us = row["parked_us"].as<std::int64_t>();
            letters.push_back(std::move(letter));
        }
        return {};
    });
    if (!status) return status.error();
    return letters;
}

Result<std::string> replay_dead_letter(store::PgPool& pool, std::int64_t id, std::int64_t now_us) {
    const std::string sql =
        "WITH d AS (UPDATE admit.event_dead_letters SET replayed_at = now() "
        "           WHERE id = $1 AND replayed_at IS NULL RETURNING *), "
        "q AS (INSERT INTO admit.event_deliveries (subscriber, event_id, topic, key, key_hash, "
        "      payload, published_at, attempts, next_attempt_at) "
        "      SELECT subscriber, event_id, topic, key, hashtext(key), payload, published_at, 0, " +
        micros_to_timestamptz(2) +
        " FROM d ON CONFLICT (subscriber, event_id) DO NOTHING) "
        "SELECT subscriber FROM d";
    std::string subscriber;
    const Status status = store::run_transaction(pool, [&](pqxx::work& tx) -> Status {
        const auto rows = tx.exec_params(sql, id, now_us);
        if (rows.empty()) {
            return Error{ErrorCode::NOT_FOUND,
                         "no parked event with dead-letter id " + std::to_string(id)};
        }
        subscriber = rows[0][0].as<std::string>();
        return {};
    });
    if (!status) return status.error();
    return subscriber;
}

}  // namespace admit::events

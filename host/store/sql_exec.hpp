// Parameterized statement execution for the host and for the ABI's db_exec.
//
// Thread-safety: execute() uses only the transaction it is given; callers must not share a
// transaction between threads (libpqxx transactions are single-threaded).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

#include "host/common/result.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::store {

struct ExecResult {
    // Rows inserted/updated/deleted, or returned by a SELECT.
    std::uint64_t affected_rows = 0;
};

// Receives a result set: on_columns exactly once (also for zero rows, not for statements that
// return no result set, e.g. a plain UPDATE), then on_row per row. Values are in PostgreSQL text
// format; std::nullopt is SQL NULL. The views are valid only during the call. Must not throw
// (an exception is reported as Error{ErrorCode::INTERNAL}).
class RowSink {
  public:
    virtual ~RowSink() = default;
    virtual void on_columns(std::span<const std::string_view> names) = 0;
    virtual void on_row(std::span<const std::optional<std::string_view>> values) = 0;
};

// Runs one statement with $1..$n bound to params (std::nullopt = NULL; values are text and must
// not contain NUL bytes: "INVALID_ARGUMENT"). The statement is prepared once per connection, keyed
// by its SQL text, and reused afterwards. Errors are mapped as documented in pg_errors.hpp. Never
// throws. After an error inside a real transaction (pqxx::work), the transaction is aborted by
// PostgreSQL: the caller should roll back.
Result<ExecResult> execute(pqxx::transaction_base& tx, const std::string& sql,
                           std::span<const std::optional<std::string>> params, RowSink* rows);

// Runs one statement on its own (autocommit) on a pooled connection: one round trip, no
// BEGIN/COMMIT. Connection failures discard the connection.
Result<ExecResult> execute(PgPool& pool, const std::string& sql,
                           std::span<const std::optional<std::string>> params, RowSink* rows);

// The name under which `sql` is prepared on every connection ("admit_" + hash of the text).
std::string prepared_statement_name(const std::string& sql);

// The host's own statements that run per event or per poll: `sql` with `args` ($1..$n) as a
// prepared statement of the transaction's connection, prepared at its first use there under
// prepared_statement_name(sql) (the plugins' statements share the scheme, see execute()). Saves
// the parse of every call and, where PostgreSQL settles on the generic plan (from the sixth
// execution), the planning. On the event queue the planning cost more than the execution (0.3-0.6
// ms against 0.01-1.3 ms, pg_stat_statements under scripts/bench purchase): planning a range on an
// indexed column with a constant (`seq > 123`) probes the index's end for its actual maximum,
// through the dead entries of every row handled since the last vacuum. PostgreSQL still keeps
// custom plans where it judges the generic one dearer (the delivery poll), rightly: forcing the
// generic plan there once made the poll 20 times slower. execute() runs through this too. Throws
// what libpqxx throws; a name collision with another text runs the statement unprepared.
template <typename... Args>
pqxx::result exec_prepared(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
    const std::string name = prepared_statement_name(sql);
    try {
        tx.conn().prepare(name, sql);
    } catch (const pqxx::argument_error&) {
        return tx.exec_params(sql, std::forward<Args>(args)...);
    }
    return tx.exec_prepared(name, std::forward<Args>(args)...);
}

}  // namespace admit::store

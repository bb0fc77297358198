// Schema migrations of the host and of plugins, recorded in admit.schema_migrations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/common/result.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::store {

struct Migration {
    std::uint32_t version;  // 1, 2, 3 ... without gaps
    std::string name;
    std::string sql;  // may hold several statements; runs with search_path = the owner's schema
};

// Brings `schema` of `owner` up to date: creates the schema when absent, then applies the
// migrations not yet recorded for `owner`, in version order, each in its own transaction
// together with its record (owner, version, name, SHA-256 checksum of sql, applied_at). All
// runners serialize on one PostgreSQL advisory lock, so hosts starting together apply each
// migration once. Migration statements run without statement_timeout.
// Errors (the message names owner, version, name and the server's message):
//   "MIGRATION_INVALID": versions not 1..n without gaps, a duplicate version, an empty owner or
//                        schema, or an applied migration whose checksum changed;
//   "MIGRATION_FAILED":  a migration's SQL failed (nothing of it is kept);
//   plus pool errors ("DEPENDENCY_UNAVAILABLE", ...).
// Applied versions newer than the given list are logged as a warning, not refused.
Status apply_migrations(PgPool& pool, const std::string& owner, const std::string& schema,
                        std::vector<Migration> migrations);

// Hex SHA-256 of a migration's SQL text, as recorded.
std::string migration_checksum(const std::string& sql);

}  // namespace admit::store

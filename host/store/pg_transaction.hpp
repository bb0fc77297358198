// Runs a unit of work in one PostgreSQL transaction on a pooled connection.
#pragma once

#include <functional>

#include <pqxx/pqxx>

#include "host/common/result.hpp"
#include "host/store/pg_pool.hpp"

namespace admit::store {

// Acquires a connection, opens a pqxx::work (READ COMMITTED), runs body, and commits when body
// returns ok. Rolls back when body returns an error (that error is returned) or throws (the
// exception is mapped as in pg_errors.hpp: a non-database exception gives
// Error{ErrorCode::INTERNAL, what()}). A failed commit is mapped the same way. A connection whose
// state is uncertain after a failure is discarded, never returned to the pool. Never throws.
Status run_transaction(PgPool& pool, const std::function<Status(pqxx::work&)>& body);

}  // namespace admit::store

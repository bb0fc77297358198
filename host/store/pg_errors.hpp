// Maps libpqxx exceptions onto the host's stable error codes.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "host/common/result.hpp"

namespace admit::store {

// Classifies a caught exception (call from inside a catch block with std::current_exception()):
//   SQLSTATE 23505                         -> "CONFLICT"
//   other 23xxx (check, FK, not null ...)  -> "CONSTRAINT"
//   40001 / 40P01 (serialization, deadlock) -> "CONFLICT" (retrying may succeed)
//   57014 / 55P03 (statement/lock timeout)  -> "TIMEOUT"
//   broken connection, 08xxx, 57P0x        -> "DEPENDENCY_UNAVAILABLE"
//   commit outcome unknown (in_doubt)       -> "DEPENDENCY_UNAVAILABLE"
//   any other SQL error (syntax, undefined) -> "SQL_ERROR"
//   anything else                          -> "INTERNAL"
// The message is the server's message (or what()); it never contains parameter values.
Error map_pg_exception(std::exception_ptr exception);

// libpq's and the server's messages end with a newline (and sometimes a space); logs and errors
// want one line. Returns `message` without them.
std::string one_line(std::string message);

// True when a failed connection attempt's message (libpq's, as the pool reports it) says that
// trying again cannot help without an operator: authentication refused, no pg_hba.conf entry, the
// role or the database does not exist. False for everything that passes by itself (connection
// refused, the server starting up, recovering or shutting down, a timeout). libpq gives no
// SQLSTATE for a failed connection, so this reads the server's and libpq's message texts.
bool is_permanent_connect_failure(std::string_view message);

// True for errors after which the connection must not be reused (protocol state unknown).
bool connection_unusable_after(std::exception_ptr exception);

}  // namespace admit::store

// Turns the configured PostgreSQL URL into the libpq connection string the pool uses.
#pragma once

#include <chrono>
#include <string>

#include "host/common/result.hpp"

namespace admit::store {

// Parses `url` (libpq URI or key=value form) and returns a key=value connection string with
// connect_timeout and a per-session statement_timeout added (appended to any `options` already
// given), and application_name=admitd unless one is set. Error code "CONFIG_INVALID" when libpq
// cannot parse the URL; the message never contains the URL (it may carry a password).
Result<std::string> build_conninfo(const std::string& url,
                                   std::chrono::milliseconds connect_timeout,
                                   std::chrono::milliseconds statement_timeout);

}  // namespace admit::store

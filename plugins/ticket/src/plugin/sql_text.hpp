// SQL fragments shared by the ticket plugin's statements: host-clock times travel as Unix
// microseconds (bigint parameters) and come back the same way, so no statement depends on the
// database server's clock or time zone. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace admit::ticket {

/// "timestamptz 'epoch' + $<n>::bigint * interval '1 microsecond'": parameter n as a time.
inline std::string sql_time(int parameter) {
    return "(timestamptz 'epoch' + $" + std::to_string(parameter) +
           "::bigint * interval '1 microsecond')";
}

/// "(extract(epoch FROM <column>) * 1000000)::bigint AS <alias>": a time column as microseconds.
inline std::string sql_micros(std::string_view column, std::string_view alias) {
    return "(extract(epoch FROM " + std::string(column) + ") * 1000000)::bigint AS " +
           std::string(alias);
}

}  // namespace admit::ticket

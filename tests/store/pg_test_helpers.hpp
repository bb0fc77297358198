// Helpers shared by the PostgreSQL store tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/store/pg_pool.hpp"
#include "host/store/sql_exec.hpp"
#include "tests/support/test_servers.hpp"

namespace admit::store::testing {

inline PgOptions test_pg_options(std::size_t pool_size = 4) {
    PgOptions options;
    options.url = testsupport::test_servers().pg_url;
    options.pool_size = pool_size;
    options.acquire_timeout = std::chrono::milliseconds{300};
    return options;
}

// Collects a result set as text; NULL becomes "<null>".
class CollectingSink : public RowSink {
  public:
    void on_columns(std::span<const std::string_view> names) override {
        columns.assign(names.begin(), names.end());
        ++column_calls;
    }
    void on_row(std::span<const std::optional<std::string_view>> values) override {
        auto& row = rows.emplace_back();
        for (const auto& v : values) row.push_back(v ? std::string(*v) : std::string("<null>"));
    }
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
    int column_calls = 0;
};

using Params = std::vector<std::optional<std::string>>;

}  // namespace admit::store::testing

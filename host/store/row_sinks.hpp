// Ready-made RowSinks: forward to callbacks, or collect the rows as owned strings.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "host/store/sql_exec.hpp"

namespace admit::store {

// Forwards to two callbacks (either may be empty). Not thread-safe; used by one execute() call.
class CallbackRowSink : public RowSink {
  public:
    using ColumnsFn = std::function<void(std::span<const std::string_view>)>;
    using RowFn = std::function<void(std::span<const std::optional<std::string_view>>)>;
    CallbackRowSink(ColumnsFn on_columns, RowFn on_row)
        : columns_fn_(std::move(on_columns)), row_fn_(std::move(on_row)) {}
    void on_columns(std::span<const std::string_view> names) override {
        if (columns_fn_) columns_fn_(names);
    }
    void on_row(std::span<const std::optional<std::string_view>> values) override {
        if (row_fn_) row_fn_(values);
    }

  private:
    ColumnsFn columns_fn_;
    RowFn row_fn_;
};

// Keeps a copy of the result set (for small results: everything is held in memory).
class CollectingRowSink : public RowSink {
  public:
    using Row = std::vector<std::optional<std::string>>;
    void on_columns(std::span<const std::string_view> names) override {
        columns.assign(names.begin(), names.end());
    }
    void on_row(std::span<const std::optional<std::string_view>> values) override {
        Row& row = rows.emplace_back();
        row.reserve(values.size());
        for (const auto& v : values) {
            row.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
        }
    }
    std::vector<std::string> columns;
    std::vector<Row> rows;
};

}  // namespace admit::store

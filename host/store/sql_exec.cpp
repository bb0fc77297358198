#include "host/store/sql_exec.hpp"

#include <cstdio>
#include <functional>
#include <vector>

#include "host/store/pg_errors.hpp"

namespace admit::store {
namespace {

void deliver_rows(const pqxx::result& result, RowSink& sink) {
    const auto column_count = static_cast<std::size_t>(result.columns());
    std::vector<std::string_view> names;
    names.reserve(column_count);
    for (pqxx::row::size_type c = 0; c < result.columns(); ++c)
        names.emplace_back(result.column_name(c));
    sink.on_columns(names);

    std::vector<std::optional<std::string_view>> values(column_count);
    for (const auto& row : result) {
        for (std::size_t c = 0; c < column_count; ++c) {
            const auto& field = row[static_cast<pqxx::row::size_type>(c)];
            if (field.is_null()) {
                values[c] = std::nullopt;
            } else {
                values[c] = std::string_view(field.c_str(), field.size());
            }
        }
        sink.on_row(values);
    }
}

std::uint64_t affected_rows_of(const pqxx::result& result) {
    const auto affected = result.affected_rows();
    if (affected > 0) return affected;
    return result.columns() > 0 ? static_cast<std::uint64_t>(result.size()) : 0;
}

}  // namespace

std::string prepared_statement_name(const std::string& sql) {
    // FNV-1a 64 plus the length: a collision would need equal hash and equal length; if one still
    // happens libpqxx refuses the redefinition and the statement runs unprepared (see execute).
    std::uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : sql) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    char name[48];
    std::snprintf(name, sizeof name, "admit_%016llx_%zx", static_cast<unsigned long long>(hash),
                  sql.size());
    return name;
}

Result<ExecResult> execute(pqxx::transaction_base& tx, const std::string& sql,
                           std::span<const std::optional<std::string>> params, RowSink* rows) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        const auto& param = params[i];
        if (param && param->find('\0') != std::string::npos) {
            return Error{ErrorCode::INVALID_ARGUMENT,
                         "parameter $" + std::to_string(i + 1) + " contains a NUL byte"};
        }
        values.push_back(param ? param->c_str() : nullptr);
    }
    const auto dynamic = pqxx::prepare::make_dynamic_params(values.begin(), values.end());

    try {
        const pqxx::result result = exec_prepared(tx, sql, dynamic);
        if (rows != nullptr && result.columns() > 0) deliver_rows(result, *rows);
        return ExecResult{affected_rows_of(result)};
    } catch (...) {
        return map_pg_exception(std::current_exception());
    }
}

Result<ExecResult> execute(PgPool& pool, const std::string& sql,
                           std::span<const std::optional<std::string>> params, RowSink* rows) {
    auto lease = pool.acquire();
    if (!lease) return lease.error();
    try {
        pqxx::nontransaction tx(lease->conn());
        auto result = execute(tx, sql, params, rows);
        if (!result && result.error().code == ErrorCode::DEPENDENCY_UNAVAILABLE) lease->discard();
        return result;
    } catch (...) {
        if (connection_unusable_after(std::current_exception())) lease->discard();
        return map_pg_exception(std::current_exception());
    }
}

}  // namespace admit::store

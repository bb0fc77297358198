#include "host/store/migrations.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "host/store/pg_errors.hpp"
#include "host/store/pg_transaction.hpp"

namespace admit::store {
namespace {

// Key of the advisory lock that serializes all migration runners of one database.
constexpr long long kMigrationLockKey = 0x61646d69744d6967;  // "admitMig"

constexpr const char* kBootstrapSql = R"sql(
CREATE SCHEMA IF NOT EXISTS admit;
CREATE TABLE IF NOT EXISTS admit.schema_migrations (
    owner      text        NOT NULL,
    version    integer     NOT NULL,
    name       text        NOT NULL,
    checksum   text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, version)
);
)sql";

struct AppliedMigration {
    std::string name;
    std::string checksum;
};

std::string describe(const std::string& owner, const Migration& m) {
    return fmt::format("migration {} v{} '{}'", owner, m.version, m.name);
}

Status validate(const std::string& owner, const std::string& schema,
                std::vector<Migration>& migrations) {
    if (owner.empty()) return Error{ErrorCode::MIGRATION_INVALID, "migration owner is empty"};
    if (schema.empty())
        return Error{ErrorCode::MIGRATION_INVALID, "migration schema of " + owner + " is empty"};
    std::stable_sort(migrations.begin(), migrations.end(),
                     [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        const Migration& m = migrations[i];
        if (i > 0 && migrations[i - 1].version == m.version) {
            return Error{ErrorCode::MIGRATION_INVALID,
                         fmt::format("{}: duplicate version (also '{}')", describe(owner, m),
                                     migrations[i - 1].name)};
        }
        if (m.version != i + 1) {
            return Error{ErrorCode::MIGRATION_INVALID,
                         fmt::format("{}: versions must start at 1 without gaps (expected v{})",
                                     describe(owner, m), i + 1)};
        }
    }
    return {};
}

void lock_migrations(pqxx::work& tx) {
    tx.exec("SET LOCAL statement_timeout = 0");
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
}

std::map<std::uint32_t, AppliedMigration> read_applied(pqxx::work& tx, const std::string& owner) {
    std::map<std::uint32_t, AppliedMigration> applied;
    const auto rows = tx.exec_params(
        "SELECT version, name, checksum FROM admit.schema_migrations WHERE owner = $1", owner);
    for (const auto& row : rows) {
        applied[row[0].as<std::uint32_t>()] =
            AppliedMigration{row[1].as<std::string>(), row[2].as<std::string>()};
    }
    return applied;
}

// Whether every one of `migrations` is recorded as applied with its checksum, read without the
// lock and without DDL. The common start of an instance: nothing to do, and nothing that waits
// for the other instances starting at the same moment (the lock serializes every owner of the
// database, and CREATE SCHEMA IF NOT EXISTS takes catalog locks). Anything else (a missing
// table, version or a checksum mismatch) is false: the locked path decides and reports.
bool applied_already(PgPool& pool, const std::string& owner,
                     const std::vector<Migration>& migrations) {
    bool all = false;
    auto status = run_transaction(pool, [&](pqxx::work& tx) -> Status {
        const auto table = tx.exec("SELECT to_regclass('admit.schema_migrations') IS NOT NULL");
        if (table.empty() || !table[0][0].as<bool>()) return {};
        const auto applied = read_applied(tx, owner);
        if (applied.size() != migrations.size()) return {};
        for (const Migration& m : migrations) {
            const auto found = applied.find(m.version);
            if (found == applied.end() || found->second.checksum != migration_checksum(m.sql))
                return {};
        }
        all = true;
        return {};
    });
    return status && all;
}

// Takes the lock, creates the host and owner schemas, and checks applied migrations against
// the given ones. Fills `applied`.
Status prepare_schema(PgPool& pool, const std::string& owner, const std::string& schema,
                      const std::vector<Migration>& migrations,
                      std::map<std::uint32_t, AppliedMigration>& applied) {
    return run_transaction(pool, [&](pqxx::work& tx) -> Status {
        lock_migrations(tx);
        tx.exec(kBootstrapSql);
        tx.exec("CREATE SCHEMA IF NOT EXISTS " + tx.quote_name(schema));
        applied = read_applied(tx, owner);
        for (const Migration& m : migrations) {
            const auto found = applied.find(m.version);
            if (found == applied.end()) continue;
            if (found->second.checksum != migration_checksum(m.sql)) {
                return Error{
                    ErrorCode::MIGRATION_INVALID,
                    fmt::format("{}: already applied with a different checksum (the SQL of an "
                                "applied migration must not change; add a new version)",
                                describe(owner, m))};
            }
        }
        if (!applied.empty() && applied.rbegin()->first > migrations.size()) {
            spdlog::warn("migrations of {}: database has v{}, this build knows up to v{}", owner,
                         applied.rbegin()->first, migrations.size());
        }
        return {};
    });
}

Status apply_one(PgPool& pool, const std::string& owner, const std::string& schema,
                 const Migration& m) {
    bool applied_now = false;
    Status status = run_transaction(pool, [&](pqxx::work& tx) -> Status {
        lock_migrations(tx);
        const auto already = tx.exec_params(
            "SELECT 1 FROM admit.schema_migrations WHERE owner = $1 AND version = $2", owner,
            m.version);
        if (!already.empty()) return {};  // another runner applied it meanwhile
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema) + ", public");
        try {
            tx.exec(m.sql);
        } catch (const pqxx::sql_error&) {
            const Error cause = map_pg_exception(std::current_exception());
            return Error{ErrorCode::MIGRATION_FAILED,
                         fmt::format("{} failed: {}", describe(owner, m), cause.message)};
        }
        tx.exec_params(
            "INSERT INTO admit.schema_migrations (owner, version, name, checksum) VALUES ($1, $2, "
            "$3, $4)",
            owner, m.version, m.name, migration_checksum(m.sql));
        applied_now = true;
        return {};
    });
    if (!status) {
        if (status.error().code == ErrorCode::MIGRATION_FAILED) return status;
        return Error{status.error().code,
                     fmt::format("{}: {}", describe(owner, m), status.error().message)};
    }
    if (applied_now) spdlog::info("applied {} in schema {}", describe(owner, m), schema);
    return {};
}

}  // namespace

std::string migration_checksum(const std::string& sql) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(sql.data(), sql.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

Status apply_migrations(PgPool& pool, const std::string& owner, const std::string& schema,
                        std::vector<Migration> migrations) {
    if (auto valid = validate(owner, schema, migrations); !valid) return valid;

    if (applied_already(pool, owner, migrations)) return {};
    std::map<std::uint32_t, AppliedMigration> applied;
    if (auto prepared = prepare_schema(pool, owner, schema, migrations, applied); !prepared) {
        if (prepared.error().code == ErrorCode::MIGRATION_INVALID) return prepared;
        return Error{prepared.error().code,
                     fmt::format("migrations of {}: {}", owner, prepared.error().message)};
    }
    for (const Migration& m : migrations) {
        if (applied.count(m.version) != 0) continue;
        if (auto status = apply_one(pool, owner, schema, m); !status) return status;
    }
    return {};
}

}  // namespace admit::store

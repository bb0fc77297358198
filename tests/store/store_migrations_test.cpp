// apply_migrations() against the private PostgreSQL of the test run.
#include <gtest/gtest.h>

#include <thread>

#include "host/store/migrations.hpp"
#include "tests/store/pg_test_helpers.hpp"

namespace admit::store {
namespace {

using testing::CollectingSink;
using testing::Params;
using testing::test_pg_options;

class MigrationTest : public ::testing::Test {
  protected:
    void SetUp() override { owner_ = testsupport::fresh_schema_name("store_mig"); }
    void TearDown() override { testsupport::reset_database(); }

    std::vector<std::vector<std::string>> query(const std::string& sql, const Params& params = {}) {
        CollectingSink sink;
        auto r = execute(pool_, sql, params, &sink);
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        return sink.rows;
    }
    std::vector<std::vector<std::string>> recorded() {
        return query(
            "SELECT version::text, name FROM admit.schema_migrations WHERE owner = $1 ORDER BY "
            "version",
            {owner_});
    }

    std::vector<Migration> two_migrations() {
        return {{1, "create seats", "CREATE TABLE seats (id int PRIMARY KEY)"},
                {2, "add label",
                 "ALTER TABLE seats ADD COLUMN label text; INSERT INTO seats VALUES (1, 'a')"}};
    }

    PgPool pool_{test_pg_options()};
    std::string owner_;
};

TEST_F(MigrationTest, AppliesInOrderIntoTheOwnersSchemaOnce) {
    auto migrations = two_migrations();
    std::swap(migrations[0], migrations[1]);  // given out of order: still applied 1, 2
    auto status = apply_migrations(pool_, owner_, owner_, migrations);
    ASSERT_TRUE(status.ok()) << status.error().message;
    EXPECT_EQ(recorded(),
              (std::vector<std::vector<std::string>>{{"1", "create seats"}, {"2", "add label"}}));
    EXPECT_EQ(query("SELECT id::text, label FROM " + owner_ + ".seats"),
              (std::vector<std::vector<std::string>>{{"1", "a"}}));

    // Applying again changes nothing (the INSERT of v2 would fail with a duplicate key).
    status = apply_migrations(pool_, owner_, owner_, two_migrations());
    ASSERT_TRUE(status.ok()) << status.error().message;
    EXPECT_EQ(recorded().size(), 2u);
}

TEST_F(MigrationTest, AppliesOnlyNewVersionsLater) {
    auto migrations = two_migrations();
    ASSERT_TRUE(apply_migrations(pool_, owner_, owner_, {migrations[0]}).ok());
    EXPECT_EQ(recorded().size(), 1u);
    auto status = apply_migrations(pool_, owner_, owner_, migrations);
    ASSERT_TRUE(status.ok()) << status.error().message;
    EXPECT_EQ(recorded().size(), 2u);
}

TEST_F(MigrationTest, BrokenMigrationStopsWithOwnerVersionNameAndServerMessage) {
    std::vector<Migration> migrations = two_migrations();
    migrations.push_back({3, "broken one", "CREATE TABLE seats (id int)"});  // already exists
    migrations.push_back({4, "never reached", "CREATE TABLE later (id int)"});
    auto status = apply_migrations(pool_, owner_, owner_, migrations);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, "MIGRATION_FAILED");
    const std::string& message = status.error().message;
    EXPECT_NE(message.find(owner_), std::string::npos) << message;
    EXPECT_NE(message.find("v3"), std::string::npos) << message;
    EXPECT_NE(message.find("broken one"), std::string::npos) << message;
    EXPECT_NE(message.find("already exists"), std::string::npos) << message;
    EXPECT_EQ(recorded().size(), 2u);
    EXPECT_TRUE(
        query("SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'later'", {owner_})
            .empty());
}

TEST_F(MigrationTest, FailedMigrationKeepsNothingOfItself) {
    std::vector<Migration> migrations{
        {1, "half", "CREATE TABLE half_done (id int); SELECT no_such_function()"}};
    ASSERT_FALSE(apply_migrations(pool_, owner_, owner_, migrations).ok());
    EXPECT_TRUE(
        query("SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'half_done'", {owner_})
            .empty());
    EXPECT_TRUE(recorded().empty());
}

TEST_F(MigrationTest, RefusesChangedChecksumOfAppliedMigration) {
    ASSERT_TRUE(apply_migrations(pool_, owner_, owner_, two_migrations()).ok());
    auto changed = two_migrations();
    changed[0].sql = "CREATE TABLE seats (id bigint PRIMARY KEY)";
    auto status = apply_migrations(pool_, owner_, owner_, changed);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, "MIGRATION_INVALID");
    EXPECT_NE(status.error().message.find("v1"), std::string::npos) << status.error().message;
    EXPECT_NE(status.error().message.find("checksum"), std::string::npos) << status.error().message;
}

TEST_F(MigrationTest, RefusesGapsAndDuplicates) {
    std::vector<Migration> gap{{1, "a", "SELECT 1"}, {3, "c", "SELECT 1"}};
    auto status = apply_migrations(pool_, owner_, owner_, gap);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, "MIGRATION_INVALID");
    EXPECT_NE(status.error().message.find("v3 'c'"), std::string::npos) << status.error().message;

    std::vector<Migration> duplicate{{1, "a", "SELECT 1"}, {1, "b", "SELECT 2"}};
    status = apply_migrations(pool_, owner_, owner_, duplicate);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, "MIGRATION_INVALID");
    EXPECT_NE(status.error().message.find("duplicate"), std::string::npos)
        << status.error().message;
    EXPECT_TRUE(recorded().empty());
}

TEST_F(MigrationTest, ConcurrentRunnersApplyEachMigrationOnce) {
    // A migration that is not idempotent: a second application would fail on the unique key.
    std::vector<Migration> migrations{
        {1, "create", "CREATE TABLE applied (marker int PRIMARY KEY)"},
        {2, "mark", "INSERT INTO applied VALUES (1); SELECT pg_sleep(0.05)"},
        {3, "mark again", "INSERT INTO applied VALUES (2)"}};
    constexpr int kRunners = 4;
    std::vector<Status> results(kRunners);
    std::vector<std::unique_ptr<PgPool>> pools;  // one pool per runner, like separate hosts
    for (int i = 0; i < kRunners; ++i)
        pools.push_back(std::make_unique<PgPool>(test_pg_options(1)));
    std::vector<std::thread> runners;
    for (int i = 0; i < kRunners; ++i) {
        runners.emplace_back(
            [&, i] { results[i] = apply_migrations(*pools[i], owner_, owner_, migrations); });
    }
    for (auto& t : runners) t.join();
    for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(recorded().size(), 3u);
    EXPECT_EQ(query("SELECT count(*)::text FROM " + owner_ + ".applied"),
              (std::vector<std::vector<std::string>>{{"2"}}));
}

}  // namespace
}  // namespace admit::store

// RevisionStore against a real PostgreSQL: the startup seed imports a file revision once, a
// publish whose parent is no longer live is refused (CONFLICT), pending revisions are approved or
// rejected once, a rollback needs an accepted revision.
#include "host/policy/revision_store.hpp"
#include "host/store/pg_pool.hpp"
#include "tests/support/test_venue.hpp"

#include <gtest/gtest.h>

namespace admit::policy {
namespace {

RevisionRecord revision(const std::string& id, const std::string& parent,
                        const std::string& author = "admin:mina") {
    RevisionRecord r;
    r.policy = "fees";
    r.revision = id;
    r.source = "-- " + id;
    r.tests = "";
    r.author = author;
    r.parent = parent;
    r.report_json = R"({"result":"checked"})";
    return r;
}

class RevisionStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        store::PgOptions pg;
        pg.url = storage_.pg_url();
        pg.pool_size = 2;
        pool_ = std::make_unique<store::PgPool>(pg);
        store_ = std::make_unique<RevisionStore>(*pool_, nullptr);
        ASSERT_TRUE(store_->migrate().ok());
    }
    std::string live() {
        auto all = store_->live_all();
        EXPECT_TRUE(all.ok());
        return all.ok() && !all->empty() ? all->front().revision : "";
    }

    admit::testing::IsolatedStorage storage_;
    std::unique_ptr<store::PgPool> pool_;
    std::unique_ptr<RevisionStore> store_;
};

TEST_F(RevisionStoreTest, SeedImportsOnceAndNeverOverAKnownRevision) {
    auto first = store_->import_seed(revision("aaaa", "", "startup"), {"startup", ""});
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(first.value());
    ASSERT_TRUE(store_->publish(revision("bbbb", "aaaa"), {"admin:mina", ""}).ok());
    // A host restarting with the old file does not bring it back.
    auto again = store_->import_seed(revision("aaaa", "", "startup"), {"startup", ""});
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again.value());
    EXPECT_EQ(live(), "bbbb");
}

TEST_F(RevisionStoreTest, PublishOverAParentThatIsNoLongerLiveIsAConflict) {
    ASSERT_TRUE(store_->import_seed(revision("aaaa", ""), {"startup", ""}).ok());
    ASSERT_TRUE(store_->publish(revision("bbbb", "aaaa"), {"admin:mina", ""}).ok());
    auto stale = store_->publish(revision("cccc", "aaaa"), {"admin:lee", ""});
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().code, ErrorCode::CONFLICT);
    EXPECT_EQ(live(), "bbbb");
}

TEST_F(RevisionStoreTest, PendingRevisionsAreDecidedOnceAndRollbackNeedsAnAcceptedOne) {
    ASSERT_TRUE(store_->import_seed(revision("aaaa", ""), {"startup", ""}).ok());
    ASSERT_TRUE(store_->submit(revision("bbbb", "aaaa"), {"admin:mina", ""}).ok());
    auto pending_rollback = store_->roll_back("fees", "bbbb", {"admin:lee", ""});
    ASSERT_FALSE(pending_rollback.ok());
    EXPECT_EQ(pending_rollback.error().code, ErrorCode::NOT_FOUND);

    auto rejected = store_->decide_pending("fees", "bbbb", false, {"admin:lee", ""});
    ASSERT_TRUE(rejected.ok());
    EXPECT_EQ(rejected->status, "rejected");
    EXPECT_EQ(live(), "aaaa");
    auto twice = store_->decide_pending("fees", "bbbb", true, {"admin:lee", ""});
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().code, ErrorCode::NOT_FOUND);

    ASSERT_TRUE(store_->record_rejection(revision("dddd", "aaaa"), {"admin:mina", ""}).ok());
    auto page = store_->list("fees", std::nullopt, 2);
    ASSERT_TRUE(page.ok());
    ASSERT_EQ(page->items.size(), 2u);
    EXPECT_EQ(page->items[0].revision, "dddd");
    EXPECT_EQ(page->items[0].status, "rejected");
    ASSERT_TRUE(page->next_cursor.has_value());
    auto rest = store_->list("fees", std::stoll(*page->next_cursor), 2);
    ASSERT_TRUE(rest.ok());
    ASSERT_EQ(rest->items.size(), 1u);
    EXPECT_EQ(rest->items[0].revision, "aaaa");
    EXPECT_TRUE(rest->items[0].live);
    EXPECT_FALSE(rest->next_cursor.has_value());
}

}  // namespace
}  // namespace admit::policy

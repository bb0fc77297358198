// The journal of admit-pay-sim: a restarted simulator still knows every charge and refund.
#include <gtest/gtest.h>
#include <signal.h>

#include "paysim_fixture.hpp"

namespace admit::paysim::testing {
namespace {

namespace json = boost::json;

int64_t num(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_int64() ? v->as_int64() : -1;
}

std::string journal_path() {
    auto dir = admit::testing::write_temp_file("keep", "").parent_path();
    return (dir / "journal.jsonl").string();
}

TEST(PaySimJournal, LedgerSurvivesAGracefulRestart) {
    auto journal = journal_path();
    std::string key_done, key_partial;
    std::string ledger_before;
    {
        PaySim sim("", journal);
        key_done = sim.approve("order-journal-1", 15000);
        ASSERT_EQ(sim.confirm(key_done, "order-journal-1", 15000).status, 200);
        key_partial = sim.approve("order-journal-2", 8000);
        ASSERT_EQ(sim.confirm(key_partial, "order-journal-2", 8000).status, 200);
        ASSERT_EQ(sim.cancel(key_partial, R"({"cancelReason":"r","cancelAmount":3000})",
                             {{"Idempotency-Key", "journal-refund"}})
                      .status,
                  200);
        sim.approve("order-journal-3", 100);  // approved, never confirmed
        ledger_before = sim.get("/sim/ledger").body;
        sim.process().signal(SIGTERM);
        ASSERT_EQ(sim.process().wait_exit(), 0) << sim.process().log();
    }
    PaySim again("", journal);
    EXPECT_EQ(again.get("/sim/ledger").body, ledger_before);
    auto entry = again.ledger_entry("order-journal-2");
    EXPECT_EQ(num(entry, "charged"), 8000);
    EXPECT_EQ(num(entry, "refunded"), 3000);
    // The restarted simulator refuses to charge twice and replays the idempotent refund.
    auto confirm = again.confirm(key_done, "order-journal-1", 15000);
    EXPECT_NE(confirm.body.find("ALREADY_PROCESSED_PAYMENT"), std::string::npos);
    auto replay = again.cancel(key_partial, R"({"cancelReason":"r","cancelAmount":3000})",
                               {{"Idempotency-Key", "journal-refund"}});
    EXPECT_EQ(replay.status, 200);
    EXPECT_EQ(num(again.ledger_entry("order-journal-2"), "refunded"), 3000);
    // New payments get fresh keys.
    auto fresh = again.approve("order-journal-4", 500);
    EXPECT_NE(fresh, key_done);
    EXPECT_EQ(again.confirm(fresh, "order-journal-4", 500).status, 200);
}

TEST(PaySimJournal, LedgerSurvivesAKillOnceTheJournalIsWritten) {
    auto journal = journal_path();
    std::string ledger_before;
    {
        PaySim sim("", journal);
        auto key = sim.approve("order-kill-1", 4000);
        ASSERT_EQ(sim.confirm(key, "order-kill-1", 4000).status, 200);
        // approve + confirm = two journal lines; wait until the writer has flushed them.
        ASSERT_TRUE(eventually([&] { return num(sim.stats(), "journalLinesWritten") == 2; }));
        ledger_before = sim.get("/sim/ledger").body;
        sim.process().signal(SIGKILL);
        sim.process().wait_exit();
    }
    PaySim again("", journal);
    EXPECT_EQ(again.get("/sim/ledger").body, ledger_before);
    EXPECT_EQ(num(again.stats(), "journalReplayedRecords"), 2);
}

TEST(PaySimJournal, ATornLastLineIsSkipped) {
    auto journal = journal_path();
    {
        PaySim sim("", journal);
        auto key = sim.approve("order-torn-1", 4000);
        ASSERT_EQ(sim.confirm(key, "order-torn-1", 4000).status, 200);
        sim.process().signal(SIGTERM);
        ASSERT_EQ(sim.process().wait_exit(), 0);
    }
    {
        std::FILE* f = std::fopen(journal.c_str(), "ab");
        std::fputs("{\"type\":\"payment\",\"payment\":{\"payment_key\":\"tsim_x", f);
        std::fclose(f);
    }
    PaySim again("", journal);
    EXPECT_EQ(num(again.ledger_entry("order-torn-1"), "charged"), 4000);
}

}  // namespace
}  // namespace admit::paysim::testing

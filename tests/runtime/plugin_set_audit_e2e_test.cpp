// Deployments in the audit trail: a real admitd records the plugins it started with and publishes
// host.plugins_changed (with the set before) only when they differ from the last recorded set of
// the database; a restart with the same plugins publishes nothing.
#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "tests/support/admitd_process.hpp"
#include "tests/support/test_venue.hpp"

namespace admit::testing {
namespace {

class PluginSetAudit : public ::testing::Test {
  protected:
    // Starts admitd with `plugins` on this test's database, waits until it serves, stops it;
    // returns its log.
    std::string run_with(std::vector<std::string> plugins) {
        TestVenue venue{.plugins = std::move(plugins), .plugin_dir = ADMIT_PROBE_DIR};
        const auto file = write_temp_file("venue.toml", venue_toml(venue, &storage_));
        AdmitdProcess admitd(ADMIT_ADMITD_BINARY, {"--config", file.string()});
        EXPECT_TRUE(admitd.wait_until_serving().has_value()) << admitd.log();
        return admitd.log();
    }

    // The payloads of every host.plugins_changed event, oldest first.
    std::vector<boost::json::object> changes() {
        pqxx::connection connection(storage_.pg_url());
        pqxx::nontransaction tx(connection);
        std::vector<boost::json::object> payloads;
        for (const auto& row : tx.exec("SELECT payload FROM admit.event_outbox WHERE topic = "
                                       "'host.plugins_changed' ORDER BY id"))
            payloads.push_back(boost::json::parse(row[0].as<std::string>()).as_object());
        return payloads;
    }

    static std::vector<std::string> names(const boost::json::value& set) {
        std::vector<std::string> out;
        for (const auto& p : set.as_array()) out.emplace_back(p.at("name").as_string());
        return out;
    }

    IsolatedStorage storage_;
};

TEST_F(PluginSetAudit, OnlyAChangedSetOfPluginsIsPublishedWithTheSetBefore) {
    run_with({"outbox_probe"});
    auto first = changes();
    ASSERT_EQ(first.size(), 1u);  // the first start of a database is a change from nothing
    EXPECT_EQ(names(first[0]["plugins"]), std::vector<std::string>{"outbox_probe"});
    EXPECT_TRUE(first[0]["previous"].is_null());
    EXPECT_EQ(first[0]["actor"], "system");
    EXPECT_EQ(std::string(first[0]["plugins"].as_array()[0].at("abi").as_string()).substr(0, 2),
              "1.");

    run_with({"outbox_probe"});  // the same plugins: nothing to audit
    EXPECT_EQ(changes().size(), 1u);

    run_with({"probe_a", "outbox_probe"});
    auto after = changes();
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(names(after[1]["plugins"]), (std::vector<std::string>{"outbox_probe", "probe_a"}));
    EXPECT_EQ(names(after[1]["previous"]), std::vector<std::string>{"outbox_probe"});
}

TEST_F(PluginSetAudit, AFailureToRecordTheSetIsLoggedAndTheInstanceServes) {
    {
        pqxx::connection connection(storage_.pg_url());
        pqxx::nontransaction tx(connection);
        // A table of that name that is not the audit's: its migration fails.
        tx.exec("CREATE SCHEMA IF NOT EXISTS admit");
        tx.exec("CREATE TABLE admit.plugin_set (unrelated integer)");
    }
    const std::string log = run_with({"outbox_probe"});
    EXPECT_NE(log.find("plugin set not recorded (no host.plugins_changed event)"),
              std::string::npos)
        << log;
    EXPECT_TRUE(changes().empty());
}

}  // namespace
}  // namespace admit::testing

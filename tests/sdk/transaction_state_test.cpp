// sdk::TransactionState: what a plugin gathers over one transaction is one State, written once by
// the before-commit work, and forgotten when the transaction ends, committed or rolled back.
#include <admit/sdk.hpp>
#include <admit/sdk/transaction_state.hpp>
#include <admit/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using admit::sdk::Error;
using admit::sdk::Host;
using admit::sdk::Result;
using admit::sdk::Status;
using admit::sdk::Tx;

/// Service "gatherer.run" {"items": [...], "fail": bool}: one transaction that gathers each item
/// through its own open() call, then fails or commits. "gatherer.written": what the before-commit
/// work wrote, one array per run of it.
class GathererPlugin final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override {
        gathered_ = std::make_unique<admit::sdk::TransactionState<std::vector<std::string>>>(
            host.handle(), [this](Tx&, std::vector<std::string>& items) -> Status {
                boost::json::array run;
                for (const auto& item : items) run.emplace_back(item);
                written_.push_back(std::move(run));
                return {};
            });
        ADMIT_TRY(
            host.provide("gatherer.run",
                         [this, &host](const boost::json::value& in,
                                       const admit::sdk::Principal&) -> Result<boost::json::value> {
                             const auto& input = in.as_object();
                             ADMIT_TRY(host.db().transaction([&](Tx& tx) -> Status {
                                 if (gathered_->current() != nullptr)
                                     return Error::internal("a State before the first open()");
                                 for (const auto& item : input.at("items").as_array()) {
                                     auto state = gathered_->open(tx);
                                     if (!state) return std::move(state).error();
                                     (*state)->emplace_back(item.as_string());
                                 }
                                 if (input.at("fail").as_bool())
                                     return Error::conflict("refused by the test");
                                 return {};
                             }));
                             return boost::json::value{};
                         }));
        return host.provide("gatherer.written",
                            [this](const boost::json::value&,
                                   const admit::sdk::Principal&) -> Result<boost::json::value> {
                                return boost::json::value(written_);
                            });
    }

  private:
    std::unique_ptr<admit::sdk::TransactionState<std::vector<std::string>>> gathered_;
    boost::json::array written_;
};

}  // namespace

ADMIT_PLUGIN_DESCRIPTOR(gatherer, GathererPlugin, "1.0.0");

namespace {

class TransactionStateTest : public ::testing::Test {
  protected:
    void SetUp() override {
        fake.set_db([](const admit::testing::DbCall&) -> Result<admit::sdk::Rows> {
            return admit::sdk::Rows{};
        });
        ASSERT_TRUE(fake.load(admit_plugin_descriptor_gatherer()).ok());
        ASSERT_TRUE(fake.start_all().ok());
    }
    bool run(boost::json::array items, bool fail) {
        return fake.call("gatherer.run", {{"items", std::move(items)}, {"fail", fail}}).ok();
    }
    boost::json::value written() { return *fake.call("gatherer.written", {}); }

    admit::testing::FakeHost fake;
};

TEST_F(TransactionStateTest, OneTransactionGathersOneStateWrittenOnceInOrder) {
    ASSERT_TRUE(run({"a", "b", "c"}, false));
    ASSERT_TRUE(run({"d"}, false));
    EXPECT_EQ(written(), boost::json::parse(R"([["a", "b", "c"], ["d"]])"));
}

TEST_F(TransactionStateTest, ARolledBackTransactionsStateIsForgotten) {
    EXPECT_FALSE(run({"lost", "too"}, true));
    EXPECT_EQ(written(), boost::json::array{});  // no before-commit work for a failed body
    ASSERT_TRUE(run({"kept"}, false));
    EXPECT_EQ(written(), boost::json::parse(R"([["kept"]])"));
}

}  // namespace

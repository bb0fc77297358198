// Output schemas: a revision whose decisions leave the declared types or ranges is refused at
// publish (through its tests or its fallback) and a live decision outside them answers the
// fallback; the repository's policies fit their own schemas.
#include "host/policy/output_schema.hpp"
#include "host/policy/policy_engine.hpp"
#include "policy_test_support.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#ifndef ADMIT_POLICIES_DIR
#error "ADMIT_POLICIES_DIR must name the repository's policies/ folder"
#endif

namespace admit::policy {
namespace {

using testing::ScratchDir;

constexpr const char* kFeeSchema = R"({"fields": {
  "amount": {"type": "integer", "required": true, "min": 0, "max": 100000, "money": true},
  "tier": {"type": "string", "oneOf": ["GOLD", "SILVER"]},
  "fallback": {"type": "boolean"}}})";

std::string fee_policy(const std::string& gold_amount) {
    return "fallback = { amount = 3000, fallback = true }\n"
           "function decide(input)\n"
           "  if input.tier == 'GOLD' then return { amount = " +
           gold_amount +
           ", tier = 'GOLD' } end\n"
           "  return { amount = 3000, tier = 'SILVER' }\n"
           "end\n";
}

const char* kFeeTests =
    "function test_silver()\n"
    "  assert_eq(decide({ tier = 'SILVER' }).amount, 3000)\n"
    "end\n"
    "function test_gold()\n"
    "  decide({ tier = 'GOLD' })\n"
    "end\n";

class OutputSchemaEngine : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_.write("fee.schema.json", kFeeSchema);
        dir_.write("fee_test.lua", kFeeTests);
        dir_.write("fee.lua", fee_policy("2000"));
        PolicyOptions options;
        options.dir = dir_.path();
        engine_ = std::make_unique<PolicyEngine>(options);
        ASSERT_TRUE(engine_->load_all().ok());
        ASSERT_FALSE(engine_->live().empty());
    }

    std::string refusal_of(const std::string& source) {
        auto published = engine_->publish("fee", source, "test", false);
        EXPECT_FALSE(published.ok());
        if (published.ok()) return {};
        EXPECT_EQ(published.error().code, ErrorCode::POLICY_REJECTED);
        return published.error().message;
    }

    ScratchDir dir_;
    std::unique_ptr<PolicyEngine> engine_;
};

TEST_F(OutputSchemaEngine, NegativeFeeIsRefusedWithFieldLineAndTest) {
    const auto live = engine_->live().at("fee")->revision;
    const auto message = refusal_of(fee_policy("-100"));
    EXPECT_NE(message.find("fee_test.lua:5: output field 'amount' is -100, below its minimum 0"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("(test test_gold)"), std::string::npos) << message;
    EXPECT_EQ(engine_->live().at("fee")->revision, live);
}

TEST_F(OutputSchemaEngine, StringWhereIntegerDeclaredIsRefused) {
    const auto message = refusal_of(fee_policy("'2000'"));
    EXPECT_NE(message.find("output field 'amount' must be an integer, got a string"),
              std::string::npos)
        << message;
}

TEST_F(OutputSchemaEngine, UndeclaredFieldAndValueOutsideEnumerationAreRefused) {
    EXPECT_NE(refusal_of("fallback = { amount = 1 }\n"
                         "function decide(i) return { amount = 1, discount = 5 } end\n")
                  .find("output field 'discount' is not declared in fee.schema.json"),
              std::string::npos);
    EXPECT_NE(refusal_of("fallback = { amount = 1 }\n"
                         "function decide(i) return { amount = 1, tier = 'PLATINUM' } end\n")
                  .find("'tier' is \"PLATINUM\", not one of its declared values"),
              std::string::npos);
}

TEST_F(OutputSchemaEngine, FallbackOutsideTheSchemaIsRefused) {
    const auto message = refusal_of(
        "fallback = { amount = -1 }\n"
        "function decide(i) return { amount = 1 } end\n");
    EXPECT_NE(message.find("fee.lua: fallback: output field 'amount' is -1"), std::string::npos)
        << message;
}

TEST_F(OutputSchemaEngine, MissingRequiredFieldIsRefused) {
    const auto message = refusal_of(
        "fallback = { amount = 1 }\n"
        "function decide(i) return { tier = 'GOLD' } end\n");
    EXPECT_NE(message.find("output field 'amount' is required"), std::string::npos) << message;
}

TEST_F(OutputSchemaEngine, LiveDecisionOutsideTheSchemaAnswersTheFallback) {
    // The tests never ask for a huge quantity, so this revision passes them; the live call that
    // does is refused by the host and answers the fallback.
    ASSERT_TRUE(engine_
                    ->publish("fee",
                              "fallback = { amount = 3000, fallback = true }\n"
                              "function decide(input)\n"
                              "  return { amount = 3000 * (input.quantity or 1) }\n"
                              "end\n",
                              "test", false)
                    .ok());
    auto small = engine_->evaluate("fee", R"({"quantity": 2})");
    ASSERT_TRUE(small.ok());
    EXPECT_FALSE(small->fallback_used);
    auto huge = engine_->evaluate("fee", R"({"quantity": 500})");
    ASSERT_TRUE(huge.ok());
    EXPECT_TRUE(huge->fallback_used);
    EXPECT_NE(huge->error.find("'amount' is 1500000, above its maximum 100000"), std::string::npos)
        << huge->error;
    EXPECT_EQ(boost::json::parse(huge->json).at("fallback").as_bool(), true);
}

TEST(OutputSchemaFile, MalformedSchemasAreRefusedWithTheReason) {
    auto bad_type = OutputSchema::parse(R"({"fields": {"a": {"type": "money"}}})", "x.schema.json");
    ASSERT_FALSE(bad_type.ok());
    EXPECT_NE(bad_type.error().message.find("fields.a.type must be"), std::string::npos);
    auto range_on_string =
        OutputSchema::parse(R"({"fields": {"a": {"type": "string", "min": 1}}})", "x");
    ASSERT_FALSE(range_on_string.ok());
    EXPECT_NE(range_on_string.error().message.find("applies to numbers only"), std::string::npos);
    EXPECT_FALSE(OutputSchema::parse("{}", "x").ok());
    EXPECT_FALSE(OutputSchema::parse("not json", "x").ok());
}

TEST(OutputSchemaFile, EveryRepositoryPolicyDeclaresOneAndServesUnderIt) {
    PolicyOptions options;
    options.dir = ADMIT_POLICIES_DIR;
    PolicyEngine engine(options);
    ASSERT_TRUE(engine.load_all().ok());
    const auto live = engine.live();
    ASSERT_EQ(live.size(), 7u);
    for (const auto& [name, compiled] : live) {
        EXPECT_NE(compiled->schema, nullptr) << name << " declares no output schema";
    }
    auto fee = engine.evaluate("fees", R"({"kind":"booking","tier":"GOLD","quantity":2})");
    ASSERT_TRUE(fee.ok());
    EXPECT_FALSE(fee->fallback_used) << fee->error;
}

}  // namespace
}  // namespace admit::policy

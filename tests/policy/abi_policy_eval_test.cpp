#include "host/policy/abi_policy_eval.hpp"
#include "host/policy/revision.hpp"
#include "policy_test_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace admit::policy {
namespace {

admit_sink sink_into(std::string& out) {
    return admit_sink{&out, [](void* ctx, const char* data, size_t len) {
                          static_cast<std::string*>(ctx)->append(data, len);
                      }};
}

admit_str str(std::string_view s) { return admit_str{s.data(), s.size()}; }

TEST(AbiPolicyEval, AnswersDecisionAndRevisionOrAStatus) {
    testing::ScratchDir dir;
    dir.write("p.lua", testing::versioned_policy(4));
    PolicyOptions options;
    options.dir = dir.path();
    PolicyEngine engine(options);
    ASSERT_TRUE(engine.load_all().ok());
    std::string decision, revision, error;
    admit_sink d = sink_into(decision), r = sink_into(revision), e = sink_into(error);
    EXPECT_EQ(evaluate_for_plugin(engine, str("p"), str(R"({"x":2})"), &d, &r, &e), ADMIT_OK);
    EXPECT_EQ(decision, R"({"echo":2,"version":4})");
    EXPECT_EQ(revision, revision_of(testing::versioned_policy(4), ""));
    EXPECT_TRUE(error.empty());
    EXPECT_EQ(evaluate_for_plugin(engine, str("missing"), str("{}"), &d, &r, &e),
              ADMIT_E_NOT_FOUND);
    EXPECT_NE(error.find("missing"), std::string::npos);
    EXPECT_EQ(evaluate_for_plugin(engine, str("p"), str("{"), nullptr, nullptr, nullptr),
              ADMIT_E_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace admit::policy

#include "host/policy/offline_check.hpp"
#include "policy_test_support.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace admit::policy {
namespace {

using testing::ScratchDir;

TEST(OfflineCheck, PassesGoodPoliciesAndNamesTheFailure) {
    ScratchDir dir;
    dir.write("good.lua", testing::versioned_policy(1));
    dir.write("good_test.lua", "function test_version() assert_eq(decide({}).version, 1) end\n");
    dir.write("broken.lua", testing::versioned_policy(1));
    dir.write("broken_test.lua",
              "function test_version()\n  assert_eq(decide({}).version, 2)\nend\n");
    std::ostringstream out;
    EXPECT_EQ(run_offline_check(dir.path(), out), 1);
    EXPECT_NE(out.str().find("ok   good"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("FAIL broken"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("broken_test.lua:2: expected 2, got 1 (test test_version)"),
              std::string::npos)
        << out.str();
}

TEST(OfflineCheck, EmptyOrMissingDirectoryFails) {
    ScratchDir dir;
    std::ostringstream out;
    EXPECT_EQ(run_offline_check(dir.path(), out), 2);
    EXPECT_EQ(run_offline_check(dir.path() / "missing", out), 2);
}

}  // namespace
}  // namespace admit::policy

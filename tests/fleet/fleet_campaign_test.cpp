// The fleet and its short fault campaign as CI runs them (issue 20): scripts/chaos starts a fleet
// of this build's admitd behind nginx with PostgreSQL, Redis and admit-pay-sim of its own, runs a
// purchase load with seeded faults (kill -9 of an instance, PostgreSQL immediate shutdown, Redis
// killed and restarted empty) and checks the invariants from PostgreSQL and the simulator's
// ledger after each run. The long campaign is scripts/chaos itself (README).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/admitd_process.hpp"

namespace admit::testing {
namespace {

std::string script(const char* name) {
    return std::string(ADMIT_TEST_SOURCE_DIR) + "/scripts/" + name;
}

TEST(FleetCampaign, SeededFaultsDuringPurchasesKeepEveryInvariant) {
    // Seeds 0, 1, 2 take the three listed kinds in turn (the first fault cycles with the seed).
    // The readiness bound is 10 s here, not the 2 s: this is the Debug build, beside the
    // load on a shared 2-core CI machine. It still fails a run whose instance does not come back
    // (the crash loop a fleet killed with a backlog once had) or takes five times the goal; the
    // 2 s bound is checked by the campaigns on the Release build (README).
    std::vector<std::string> args{"--runs", "3", "--seed", "0"};
    args.insert(args.end(), {"--faults", "kill-one,pg-restart,redis-restart"});
    args.insert(args.end(), {"--build", ADMIT_FLEET_BUILD_DIR, "--no-build", "--instances", "2"});
    args.insert(args.end(), {"--load-seconds", "10", "--rate", "15", "--buyers", "40"});
    args.insert(args.end(), {"--hold-seconds", "4", "--ready-bound-s", "10"});
    auto result = run_command(script("chaos"), args, std::chrono::seconds(280));
    EXPECT_EQ(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("chaos: 3 runs"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find(", 0 failed"), std::string::npos) << result.output;
    for (const char* kind : {"kill-one ", "pg-restart ", "redis-restart "})
        EXPECT_NE(result.output.find(kind), std::string::npos) << kind << " did not run\n"
                                                               << result.output;
}

TEST(FleetCampaign, SplitRolesOnTheInprocBackendAreRefusedBeforeAnythingStarts) {
    auto result =
        run_command(script("fleet"),
                    {"up", "--roles", "split", "--events", "inproc", "--build",
                     ADMIT_FLEET_BUILD_DIR, "--dir", ADMIT_FLEET_BUILD_DIR "/run/fleet-refused"},
                    std::chrono::seconds(30));
    EXPECT_NE(result.status, 0) << result.output;
    EXPECT_NE(result.output.find("--roles split needs --events kafka"), std::string::npos)
        << result.output;
}

}  // namespace
}  // namespace admit::testing

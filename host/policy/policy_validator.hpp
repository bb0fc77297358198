// Validation of a candidate policy revision: compile, check the contract, run its tests. Runs in a
// private Sandbox, never on a request path; used by PolicyEngine::publish and the offline checker.
#pragma once

#include "host/policy/output_schema.hpp"
#include "host/policy/policy_types.hpp"

#include <memory>

#include <string>
#include <string_view>
#include <vector>

namespace admit::policy {

struct PolicySources {
    std::string name;
    std::string source;
    std::string chunk_name;       // "fees.lua"
    std::string test_source;      // empty when there is no test file
    std::string test_chunk_name;  // "fees_test.lua"
    // The declared output schema: every decision the tests obtain and the fallback must fit it.
    std::shared_ptr<const OutputSchema> schema;
};

struct ValidationOutcome {
    bool ok = false;
    PolicyProblem problem;  // set when !ok
    std::string revision;
    std::string fallback_json;
    int tests_run = 0;
    int tests_passed = 0;
};

// Test files define functions named test_*; each runs (in name order) under test_limits with
// these globals besides the sandbox's: decide(input) (the policy's, whose decision must be
// representable as JSON), fallback (the policy's), assert_eq(actual, expected [, message]) (deep
// comparison through JSON) and set_now(seconds | nil) (fixes now() for the rest of the test).
// The sandbox's bounds apply as on the request path (the instruction budget also pays for
// pattern matching), and after each test the state may keep at most call_limits.retained_bytes
// more than after loading (a worker would rebuild such a state): a revision past it is rejected.
ValidationOutcome validate_policy(const PolicySources& sources, const Limits& call_limits,
                                  const Limits& test_limits, const Clock& clock,
                                  bool run_tests = true);

// Splits "<file>:<line>: text" into a problem; messages without a location keep file empty.
PolicyProblem problem_from_message(std::string_view message, std::string_view failing_test = {});

}  // namespace admit::policy

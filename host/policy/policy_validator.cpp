#include "host/policy/policy_validator.hpp"

#include "host/policy/json_lua.hpp"
#include "host/policy/policy_call.hpp"
#include "host/policy/revision.hpp"
#include "host/policy/sandbox.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>

namespace admit::policy {
namespace {

// The test view of decide: calls the policy's decide (upvalue 1) and checks its decision against
// JSON and the output schema (upvalue 2, a light userdata; NULL when none). A decision outside the
// schema fails the test at the line of the test that asked for it.
int checked_decide(lua_State* L) {
    const int arguments = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, arguments, 1);
    if (!lua_istable(L, -1)) {
        return luaL_error(L, "decide must return a table, got %s", luaL_typename(L, -1));
    }
    std::string error;
    bool representable = false;
    try {
        boost::json::value ignored;
        representable = lua_to_json(L, -1, ignored, error);
    } catch (const std::exception& e) {
        error = e.what();
    }
    if (!representable) {
        lua_pushfstring(L, "decision is not representable as JSON: %s", error.c_str());
        return lua_error(L);
    }
    const auto* schema = static_cast<const OutputSchema*>(lua_touserdata(L, lua_upvalueindex(2)));
    if (schema != nullptr) error = schema->check(L, -1);
    if (!error.empty()) {
        luaL_where(L, 1);
        lua_pushfstring(L, "%s (%s)", error.c_str(), schema->origin().c_str());
        lua_concat(L, 2);
        return lua_error(L);
    }
    return 1;
}

// Renders the value at idx for a message: its JSON, or its Lua type.
std::string render(lua_State* L, int idx, boost::json::value& as_json, bool& is_json) {
    std::string error;
    try {
        is_json = lua_to_json(L, idx, as_json, error);
        if (is_json) return boost::json::serialize(as_json);
    } catch (const std::exception&) {
        is_json = false;
    }
    return std::string("<") + luaL_typename(L, idx) + ">";
}

int assert_eq(lua_State* L) {
    luaL_checkany(L, 2);
    std::string actual_text, expected_text;
    bool equal = false;
    {
        boost::json::value actual, expected;
        bool actual_json = false, expected_json = false;
        actual_text = render(L, 1, actual, actual_json);
        expected_text = render(L, 2, expected, expected_json);
        equal = actual_json && expected_json ? actual == expected : lua_rawequal(L, 1, 2) != 0;
    }
    if (equal) return 0;
    const char* label = luaL_optstring(L, 3, nullptr);
    return luaL_error(L, "%s%sexpected %s, got %s", label != nullptr ? label : "",
                      label != nullptr ? ": " : "", expected_text.c_str(), actual_text.c_str());
}

int set_now(lua_State* L) {
    auto* sandbox = static_cast<Sandbox*>(lua_touserdata(L, lua_upvalueindex(1)));
    if (lua_isnoneornil(L, 1)) {
        sandbox->set_fixed_now(std::nullopt);
    } else {
        sandbox->set_fixed_now(luaL_checknumber(L, 1));
    }
    return 0;
}

struct TestEnvArgs {
    Sandbox* sandbox;
    int policy_declared_ref;
    const OutputSchema* schema;
    int extras_ref = LUA_NOREF;
};

// Builds the table test chunks fall back to (decide, fallback, assert_eq, set_now over base).
int build_test_env(lua_State* L) {
    auto* args = static_cast<TestEnvArgs*>(lua_touserdata(L, 1));
    args->sandbox->push_table_over_base();
    const int extras = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, args->policy_declared_ref);
    lua_getfield(L, -1, "decide");
    lua_pushlightuserdata(L, const_cast<OutputSchema*>(args->schema));
    lua_pushcclosure(L, checked_decide, 2);
    lua_setfield(L, extras, "decide");
    lua_getfield(L, -1, "fallback");
    lua_setfield(L, extras, "fallback");
    lua_pop(L, 1);
    lua_pushcfunction(L, assert_eq);
    lua_setfield(L, extras, "assert_eq");
    lua_pushlightuserdata(L, args->sandbox);
    lua_pushcclosure(L, set_now, 1);
    lua_setfield(L, extras, "set_now");
    lua_pushvalue(L, extras);
    args->extras_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

struct TestListArgs {
    int declared_ref;
    std::vector<std::string> names;
};

int list_tests(lua_State* L) {
    auto* args = static_cast<TestListArgs*>(lua_touserdata(L, 1));
    lua_rawgeti(L, LUA_REGISTRYINDEX, args->declared_ref);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION) {
            std::string name = lua_tostring(L, -2);
            if (name.rfind("test_", 0) == 0) args->names.push_back(std::move(name));
        }
        lua_pop(L, 1);
    }
    return 0;
}

struct TestRunArgs {
    int declared_ref;
    const std::string* name;
};

int run_test(lua_State* L) {
    auto* args = static_cast<TestRunArgs*>(lua_touserdata(L, 1));
    lua_rawgeti(L, LUA_REGISTRYINDEX, args->declared_ref);
    lua_getfield(L, -1, args->name->c_str());
    lua_call(L, 0, 0);
    return 0;
}

ValidationOutcome reject(ValidationOutcome outcome, std::string_view message,
                         std::string_view failing_test = {}) {
    outcome.ok = false;
    outcome.problem = problem_from_message(message, failing_test);
    return outcome;
}

void run_tests_into(ValidationOutcome& outcome, Sandbox& sandbox, const LoadedPolicy& policy,
                    const PolicySources& sources, const Limits& call_limits,
                    const Limits& test_limits) {
    TestEnvArgs env{&sandbox, policy.declared_ref, sources.schema.get()};
    if (Status built = sandbox.call(build_test_env, &env, call_limits); !built.ok()) {
        outcome = reject(std::move(outcome), built.error().message);
        return;
    }
    Result<int> tests = sandbox.load_chunk(sources.test_chunk_name, sources.test_source,
                                           test_limits, env.extras_ref);
    if (!tests.ok()) {
        outcome = reject(std::move(outcome), tests.error().message);
        return;
    }
    TestListArgs list{tests.value(), {}};
    if (Status listed = sandbox.call(list_tests, &list, call_limits); !listed.ok()) {
        outcome = reject(std::move(outcome), listed.error().message);
        return;
    }
    std::sort(list.names.begin(), list.names.end());
    // What the state may keep across the tests' calls, as a worker allows across calls.
    const std::size_t baseline = sandbox.collect_garbage();
    const std::size_t ceiling = call_limits.retained_bytes > SIZE_MAX - baseline
                                    ? SIZE_MAX
                                    : baseline + call_limits.retained_bytes;
    for (const std::string& name : list.names) {
        sandbox.set_fixed_now(std::nullopt);
        TestRunArgs run{tests.value(), &name};
        ++outcome.tests_run;
        Status passed = sandbox.call(run_test, &run, test_limits);
        if (!passed.ok()) {
            outcome = reject(std::move(outcome), passed.error().message, name);
            return;
        }
        if (sandbox.memory_in_use() > ceiling && sandbox.collect_garbage() > ceiling) {
            outcome = reject(std::move(outcome),
                             sources.chunk_name + ": the state keeps " +
                                 std::to_string(sandbox.memory_in_use() - baseline) +
                                 " bytes across calls (limit " +
                                 std::to_string(call_limits.retained_bytes) +
                                 "): do not grow tables declared at top level from decide",
                             name);
            return;
        }
        ++outcome.tests_passed;
    }
    sandbox.set_fixed_now(std::nullopt);
}

}  // namespace

ValidationOutcome validate_policy(const PolicySources& sources, const Limits& call_limits,
                                  const Limits& test_limits, const Clock& clock, bool run_tests) {
    ValidationOutcome outcome;
    outcome.revision = revision_of(sources.source, sources.test_source);
    auto sandbox = Sandbox::create(clock);
    if (!sandbox.ok()) return reject(std::move(outcome), sandbox.error().message);
    Result<LoadedPolicy> loaded =
        load_policy(*sandbox.value(), sources.chunk_name, sources.source, call_limits);
    if (!loaded.ok()) return reject(std::move(outcome), loaded.error().message);
    outcome.fallback_json = loaded.value().fallback_json;
    if (sources.schema) {
        std::string problem = sources.schema->check(boost::json::parse(outcome.fallback_json));
        if (!problem.empty()) {
            return reject(std::move(outcome), sources.chunk_name + ": fallback: " + problem + " (" +
                                                  sources.schema->origin() + ")");
        }
    }
    outcome.ok = true;
    if (run_tests && !sources.test_source.empty()) {
        run_tests_into(outcome, *sandbox.value(), loaded.value(), sources, call_limits,
                       test_limits);
    }
    return outcome;
}

PolicyProblem problem_from_message(std::string_view message, std::string_view failing_test) {
    PolicyProblem problem;
    problem.failing_test = std::string(failing_test);
    problem.message = std::string(message);
    const std::size_t colon = message.find(':');
    if (colon == std::string_view::npos || colon == 0) return problem;
    std::size_t cursor = colon + 1;
    int line = 0;
    while (cursor < message.size() && std::isdigit(static_cast<unsigned char>(message[cursor]))) {
        line = line * 10 + (message[cursor] - '0');
        ++cursor;
    }
    if (cursor == colon + 1 || cursor >= message.size() || message[cursor] != ':') return problem;
    const std::string_view file = message.substr(0, colon);
    if (file.find(' ') != std::string_view::npos) return problem;
    problem.file = std::string(file);
    problem.line = line;
    ++cursor;
    while (cursor < message.size() && message[cursor] == ' ') ++cursor;
    problem.message = std::string(message.substr(cursor));
    return problem;
}

}  // namespace admit::policy

#include "host/policy/policy_call.hpp"

#include "host/policy/json_lua.hpp"

#include <exception>

namespace admit::policy {
namespace {

struct ContractArgs {
    int declared_ref;
    int decide_ref = LUA_NOREF;
    std::string fallback_json;
    std::string problem;
};

// Serializes the value at idx into out; returns false with error set when impossible.
bool serialize_at(lua_State* L, int idx, std::string& out, std::string& error) {
    try {
        out.clear();
        return lua_to_json_text(L, idx, out, error);
    } catch (const std::exception& e) {
        error = e.what();
        return false;
    }
}

int check_contract(lua_State* L) {
    auto* args = static_cast<ContractArgs*>(lua_touserdata(L, 1));
    lua_rawgeti(L, LUA_REGISTRYINDEX, args->declared_ref);
    const int declared = lua_gettop(L);
    if (lua_getfield(L, declared, "decide") != LUA_TFUNCTION) {
        args->problem = "policy must define function decide(input)";
        return 0;
    }
    args->decide_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (lua_getfield(L, declared, "fallback") != LUA_TTABLE) {
        args->problem =
            "policy must declare a table fallback = { ... } (the decision used when a call fails)";
        return 0;
    }
    std::string error;
    if (!serialize_at(L, -1, args->fallback_json, error)) {
        args->problem = "fallback is not representable as JSON: " + error;
    }
    return 0;
}

struct DecideArgs {
    int decide_ref;
    const boost::json::value* input;
    const OutputSchema* schema;
    std::string decision;
};

int decide_protected(lua_State* L) {
    auto* args = static_cast<DecideArgs*>(lua_touserdata(L, 1));
    lua_rawgeti(L, LUA_REGISTRYINDEX, args->decide_ref);
    push_json(L, *args->input);
    lua_call(L, 1, 1);
    if (!lua_istable(L, -1)) {
        return luaL_error(L, "decide must return a table, got %s", luaL_typename(L, -1));
    }
    std::string error;
    if (args->schema != nullptr) error = args->schema->check(L, -1);
    if (!error.empty()) {
        lua_pushstring(L, error.c_str());
        return lua_error(L);
    }
    if (!serialize_at(L, -1, args->decision, error)) {
        lua_pushfstring(L, "decision is not representable as JSON: %s", error.c_str());
        return lua_error(L);
    }
    return 0;
}

}  // namespace

Result<LoadedPolicy> load_policy(Sandbox& sandbox, std::string_view chunk_name,
                                 std::string_view source, const Limits& limits) {
    Result<int> declared = sandbox.load_chunk(chunk_name, source, limits);
    if (!declared.ok()) return declared.error();
    ContractArgs args{declared.value(), LUA_NOREF, {}, {}};
    Status checked = sandbox.call(check_contract, &args, limits);
    LoadedPolicy loaded{declared.value(), args.decide_ref, std::move(args.fallback_json)};
    if (!checked.ok() || !args.problem.empty()) {
        release_policy(sandbox, loaded);
        if (!checked.ok()) return checked.error();
        return Error{ErrorCode::POLICY_CONTRACT, std::string(chunk_name) + ": " + args.problem};
    }
    return loaded;
}

void release_policy(Sandbox& sandbox, const LoadedPolicy& policy) {
    sandbox.unref(policy.decide_ref);
    sandbox.unref(policy.declared_ref);
}

Result<std::string> call_decide(Sandbox& sandbox, int decide_ref, const boost::json::value& input,
                                const Limits& limits, const OutputSchema* schema) {
    DecideArgs args{decide_ref, &input, schema, {}};
    Status status = sandbox.call(decide_protected, &args, limits);
    if (!status.ok()) return status.error();
    return std::move(args.decision);
}

}  // namespace admit::policy

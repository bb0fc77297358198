#include "host/policy/sandbox.hpp"

#include "host/policy/bounded_loops.hpp"
#include "host/policy/bounded_patterns.hpp"
#include "host/policy/json_lua.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>

namespace admit::policy {

enum class Bound { none, instructions, deadline };

struct SandboxContext {
    std::size_t used = 0;
    std::size_t cap = std::numeric_limits<std::size_t>::max();
    std::size_t memory_limit = 0;
    std::uint64_t budget = 0;
    std::uint64_t instructions_left = 0;
    int hook_step = 1000;
    std::chrono::steady_clock::time_point deadline;
    std::chrono::microseconds deadline_length{0};
    Bound bound = Bound::none;
    std::string bound_message;
    std::string deadline_message;  // prepared per call: the allocator must not allocate
    lua_State* L = nullptr;
    bool in_call = false;
    Clock clock;
    std::optional<double> fixed_now;
};

namespace {

constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

SandboxContext& context_of(lua_State* L) {
    return **static_cast<SandboxContext**>(lua_getextraspace(L));
}

void count_hook(lua_State* L, lua_Debug*);

// Growth from which the allocator also checks the deadline (see allocate).
constexpr std::size_t kDeadlineCheckBytes = 64u << 10;

// Lua allocator with a cap: growth past ctx->cap is refused (Lua raises LUA_ERRMEM after an
// emergency collection); frees and shrinks always succeed. During a call, a growth of at least
// kDeadlineCheckBytes also checks the deadline: one VM instruction can copy megabytes (s .. s,
// string.rep, gsub), so the hook alone, every 1000 instructions, could let a call run on for
// seconds. Past the deadline the growth is refused, the bound recorded and the hook set to fire
// at the next instruction, so the call ends with the deadline's error.
void* allocate(void* ud, void* ptr, std::size_t old_size, std::size_t new_size) {
    auto* ctx = static_cast<SandboxContext*>(ud);
    const std::size_t old = ptr != nullptr ? old_size : 0;
    if (new_size == 0) {
        std::free(ptr);
        ctx->used -= old;
        return nullptr;
    }
    if (new_size > old && ctx->used - old + new_size > ctx->cap) return nullptr;
    if (ctx->in_call && new_size >= old + kDeadlineCheckBytes) {
        if (ctx->bound == Bound::none && std::chrono::steady_clock::now() > ctx->deadline) {
            ctx->bound = Bound::deadline;
            ctx->bound_message.swap(ctx->deadline_message);
            lua_sethook(ctx->L, count_hook, LUA_MASKCOUNT, 1);
        }
        if (ctx->bound != Bound::none) return nullptr;
    }
    void* grown = std::realloc(ptr, new_size);
    if (grown == nullptr) return nullptr;
    ctx->used = ctx->used - old + new_size;
    return grown;
}

// Records that a bound was hit (once per call) with the location at `level`.
void note_bound(lua_State* L, SandboxContext& ctx, Bound bound, int level) {
    ctx.bound = bound;
    luaL_where(L, level);
    const std::string where = lua_tostring(L, -1);
    lua_pop(L, 1);
    if (bound == Bound::instructions) {
        ctx.instructions_left = 0;
        ctx.bound_message = where + "instruction budget of " + std::to_string(ctx.budget) +
                            " instructions exceeded";
    } else {
        ctx.bound_message =
            where + "deadline of " + std::to_string(ctx.deadline_length.count()) + " us exceeded";
    }
}

// Raises the recorded bound. From now on the hook fires at every instruction: a script that
// catches the error with pcall is stopped at its next instruction outside that pcall, so nesting
// cannot outlast the bound.
[[noreturn]] void raise_bound(lua_State* L, const SandboxContext& ctx) {
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    lua_pushstring(L, ctx.bound_message.c_str());
    lua_error(L);
    std::abort();  // lua_error does not return
}

// Count hook: charges the instruction budget and checks the deadline. Once a bound is hit it
// raises again at every step, so a script cannot continue by catching the error.
void count_hook(lua_State* L, lua_Debug*) {
    SandboxContext& ctx = context_of(L);
    if (ctx.bound == Bound::none) {
        if (ctx.instructions_left <= static_cast<std::uint64_t>(ctx.hook_step)) {
            note_bound(L, ctx, Bound::instructions, 0);
        } else {
            ctx.instructions_left -= static_cast<std::uint64_t>(ctx.hook_step);
            if (std::chrono::steady_clock::now() > ctx.deadline) {
                note_bound(L, ctx, Bound::deadline, 0);
            }
        }
    }
    if (ctx.bound != Bound::none) raise_bound(L, ctx);
}

int forbidden_lookup(lua_State* L) {
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    static constexpr const char* kForbidden[] = {
        "io",       "os",     "debug",          "package", "require", "load",     "loadstring",
        "loadfile", "dofile", "collectgarbage", "rawset",  "print",   "coroutine"};
    const char* name = lua_tostring(L, 2);
    for (const char* forbidden : kForbidden) {
        if (std::strcmp(name, forbidden) == 0) {
            const char* hint = std::strcmp(name, "os") == 0 ? " (use now() for the clock)" : "";
            return luaL_error(L, "'%s' is not available in policies%s", name, hint);
        }
    }
    return 0;
}

int unavailable_function(lua_State* L) {
    return luaL_error(L, "%s is not available in policies", lua_tostring(L, lua_upvalueindex(1)));
}

int read_only_library(lua_State* L) {
    return luaL_error(L, "'%s' is read-only in policies", lua_tostring(L, lua_upvalueindex(1)));
}

int declare_global(lua_State* L) {
    lua_settop(L, 3);
    lua_rawset(L, lua_upvalueindex(1));
    return 0;
}

int reject_global(lua_State* L) {
    if (lua_type(L, 2) == LUA_TSTRING) {
        return luaL_error(L, "assignment to undeclared global '%s'", lua_tostring(L, 2));
    }
    return luaL_error(L, "assignment to a global variable");
}

int now_function(lua_State* L) {
    SandboxContext& ctx = context_of(L);
    if (ctx.fixed_now) {
        lua_pushnumber(L, *ctx.fixed_now);
        return 1;
    }
    double seconds = 0;
    bool failed = false;
    try {
        seconds = ctx.clock();
    } catch (const std::exception&) {
        failed = true;
    }
    if (failed) return luaL_error(L, "the host clock failed");
    lua_pushnumber(L, seconds);
    return 1;
}

// setmetatable without finalizers or weak tables. Lua marks an object for finalization only when
// its metatable has a __gc field (any value, looked up raw) at setmetatable time (manual 5.4,
// §2.5.3); a finalizer runs during some later collection with hooks off, outside every bound. So
// a metatable with a raw __gc field is refused here, and adding __gc later has no effect. Weak
// tables (__mode) are refused too: entries vanishing at collections make decisions depend on GC
// timing, and ephemeron tables make the collector's atomic phase quadratic.
int safe_setmetatable(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    const int meta_type = lua_type(L, 2);
    luaL_argexpected(L, meta_type == LUA_TNIL || meta_type == LUA_TTABLE, 2, "nil or table");
    if (meta_type == LUA_TTABLE) {
        lua_settop(L, 2);
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL) {
            return luaL_error(L, "__gc metamethods are not available in policies");
        }
        lua_pushliteral(L, "__mode");
        if (lua_rawget(L, 2) != LUA_TNIL) {
            return luaL_error(L, "weak tables (__mode) are not available in policies");
        }
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
        return luaL_error(L, "cannot change a protected metatable");
    }
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

// array(t): gives t the (protected) JSON-array metatable. A table whose metatable is protected
// (the environment, the library tables) is refused: replacing it would unfreeze or break them.
int array_function(lua_State* L) {
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    if (lua_getmetatable(L, 1)) {
        push_array_metatable(L);
        const bool already = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
        if (already) return 1;
        if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
            return luaL_error(L, "cannot change a protected metatable");
        }
    }
    push_array_metatable(L);
    lua_setmetatable(L, 1);
    return 1;
}

void replace_field_with_unavailable(lua_State* L, const char* library, const char* field) {
    lua_getglobal(L, library);
    lua_pushfstring(L, "%s.%s", library, field);
    lua_pushcclosure(L, unavailable_function, 1);
    lua_setfield(L, -2, field);
    lua_pop(L, 1);
}

// Builds the base table every policy environment falls back to; leaves it on the stack.
int setup_base(lua_State* L) {
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 0);
    install_json_support(L);
    lua_getglobal(L, LUA_STRLIBNAME);
    install_bounded_patterns(L);
    lua_pop(L, 1);
    install_bounded_loops(L);
    // The real string table is reachable through every string's metatable: remove dump there.
    replace_field_with_unavailable(L, LUA_STRLIBNAME, "dump");
    replace_field_with_unavailable(L, LUA_MATHLIBNAME, "random");
    replace_field_with_unavailable(L, LUA_MATHLIBNAME, "randomseed");
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    lua_newtable(L);  // base
    const int base = lua_gettop(L);
    static constexpr const char* kSafeGlobals[] = {
        "assert", "error",  "ipairs",       "next",     "pairs", "pcall",
        "xpcall", "select", "tonumber",     "tostring", "type",  "rawequal",
        "rawget", "rawlen", "getmetatable", "_VERSION"};
    for (const char* name : kSafeGlobals) {
        lua_getglobal(L, name);
        lua_setfield(L, base, name);
    }
    static constexpr const char* kLibraries[] = {LUA_STRLIBNAME, LUA_MATHLIBNAME, LUA_TABLIBNAME,
                                                 LUA_UTF8LIBNAME};
    for (const char* library : kLibraries) {
        lua_newtable(L);  // proxy
        lua_newtable(L);  // its metatable
        lua_getglobal(L, library);
        lua_setfield(L, -2, "__index");
        lua_pushstring(L, library);
        lua_pushcclosure(L, read_only_library, 1);
        lua_setfield(L, -2, "__newindex");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_setmetatable(L, -2);
        lua_setfield(L, base, library);
    }
    lua_pushcfunction(L, safe_setmetatable);
    lua_setfield(L, base, "setmetatable");
    lua_pushcfunction(L, now_function);
    lua_setfield(L, base, "now");
    lua_pushcfunction(L, array_function);
    lua_setfield(L, base, "array");
    lua_pushlightuserdata(L, nullptr);
    lua_setfield(L, base, "null");
    lua_newtable(L);
    lua_pushcfunction(L, forbidden_lookup);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "base environment is read-only");
    lua_pushcclosure(L, read_only_library, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, base);
    return 1;
}

struct LoadArgs {
    std::string chunk_name;  // "@fees.lua"
    std::string_view source;
    int parent_ref;
    int declared_ref = LUA_NOREF;
};

int load_chunk_protected(lua_State* L) {
    auto* args = static_cast<LoadArgs*>(lua_touserdata(L, 1));
    if (luaL_loadbufferx(L, args->source.data(), args->source.size(), args->chunk_name.c_str(),
                         "t") != LUA_OK) {
        return lua_error(L);
    }
    const int chunk = lua_gettop(L);
    lua_newtable(L);  // declared
    const int declared = lua_gettop(L);
    lua_newtable(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, args->parent_ref);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, declared);
    lua_newtable(L);  // environment: stays empty, every write goes through __newindex
    const int environment = lua_gettop(L);
    lua_newtable(L);
    const int environment_meta = lua_gettop(L);
    lua_pushvalue(L, declared);
    lua_setfield(L, environment_meta, "__index");
    lua_pushvalue(L, declared);
    lua_pushcclosure(L, declare_global, 1);
    lua_setfield(L, environment_meta, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, environment_meta, "__metatable");
    lua_pushvalue(L, environment_meta);
    lua_setmetatable(L, environment);
    lua_pushvalue(L, environment);
    if (lua_setupvalue(L, chunk, 1) == nullptr) lua_pop(L, 1);  // a chunk without _ENV use
    lua_pushvalue(L, chunk);
    lua_call(L, 0, 0);
    lua_pushcfunction(L, reject_global);
    lua_setfield(L, environment_meta, "__newindex");
    lua_pushvalue(L, declared);
    args->declared_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

}  // namespace

void charge_work(lua_State* L, std::uint64_t units) {
    SandboxContext& ctx = context_of(L);
    if (ctx.bound == Bound::none) {
        if (units >= ctx.instructions_left) {
            note_bound(L, ctx, Bound::instructions, 1);
        } else {
            ctx.instructions_left -= units;
            if (std::chrono::steady_clock::now() > ctx.deadline) {
                note_bound(L, ctx, Bound::deadline, 1);
            }
        }
    }
    if (ctx.bound != Bound::none) raise_bound(L, ctx);
}

std::uint64_t lookup_chain_length(lua_State* L, int idx, const char* field) {
    std::uint64_t length = 1;
    lua_pushvalue(L, idx);
    while (length < 2000 && lua_getmetatable(L, -1)) {
        lua_pushstring(L, field);
        const int type = lua_rawget(L, -2);
        lua_remove(L, -2);  // the metatable
        lua_remove(L, -2);  // the previous table
        ++length;
        if (type != LUA_TTABLE) break;
    }
    lua_pop(L, 1);
    return length;
}

Result<std::unique_ptr<Sandbox>> Sandbox::create(Clock clock) {
    std::unique_ptr<Sandbox> sandbox(new Sandbox());
    sandbox->context_ = std::make_unique<SandboxContext>();
    sandbox->context_->clock = clock ? std::move(clock) : system_clock();
    lua_State* L = lua_newstate(allocate, sandbox->context_.get());
    if (L == nullptr)
        return Error{ErrorCode::POLICY_STATE, "cannot create a Lua state (out of memory)"};
    sandbox->L_ = L;
    *static_cast<SandboxContext**>(lua_getextraspace(L)) = sandbox->context_.get();
    lua_pushcfunction(L, setup_base);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
        std::string message = lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "unknown";
        return Error{ErrorCode::POLICY_STATE, "cannot set up the policy sandbox: " + message};
    }
    sandbox->base_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
    return sandbox;
}

Sandbox::~Sandbox() {
    if (L_ != nullptr) lua_close(L_);
}

Status Sandbox::call(lua_CFunction fn, void* arg, const Limits& limits) {
    SandboxContext& ctx = *context_;
    const int top = lua_gettop(L_);
    ctx.memory_limit = limits.memory_bytes;
    ctx.cap =
        limits.memory_bytes > kUnlimited - ctx.used ? kUnlimited : ctx.used + limits.memory_bytes;
    ctx.budget = limits.instructions;
    ctx.instructions_left = limits.instructions;
    ctx.hook_step = static_cast<int>(std::clamp<std::uint64_t>(limits.instructions, 1, 1000));
    ctx.deadline_length = limits.deadline;
    ctx.deadline = std::chrono::steady_clock::now() + limits.deadline;
    ctx.bound = Bound::none;
    ctx.deadline_message =
        "deadline of " + std::to_string(limits.deadline.count()) + " us exceeded";
    ctx.L = L_;
    lua_sethook(L_, count_hook, LUA_MASKCOUNT, ctx.hook_step);
    lua_pushcfunction(L_, fn);
    lua_pushlightuserdata(L_, arg);
    ctx.in_call = true;
    const int status = lua_pcall(L_, 1, 0, 0);
    ctx.in_call = false;
    lua_sethook(L_, nullptr, 0, 0);
    ctx.cap = kUnlimited;

    Status result;
    if (ctx.bound != Bound::none) {
        result = Error{ctx.bound == Bound::instructions ? ErrorCode::POLICY_BUDGET
                                                        : ErrorCode::POLICY_DEADLINE,
                       ctx.bound_message};
    } else if (status == LUA_ERRMEM) {
        result = Error{ErrorCode::POLICY_MEMORY,
                       "memory limit of " + std::to_string(ctx.memory_limit) + " bytes exceeded"};
    } else if (status != LUA_OK) {
        const char* message = lua_tostring(L_, -1);
        result = Error{ErrorCode::POLICY_ERROR,
                       message != nullptr
                           ? std::string(message)
                           : std::string("error object is a ") + luaL_typename(L_, -1) + " value"};
    }
    lua_settop(L_, top);
    if (!result.ok() &&
        (result.error().code == ErrorCode::POLICY_MEMORY || ctx.bound != Bound::none)) {
        lua_gc(L_, LUA_GCCOLLECT);
    }
    return result;
}

Result<int> Sandbox::load_chunk(std::string_view chunk_name, std::string_view source,
                                const Limits& limits, int parent_ref) {
    std::string at_name("@");  // built by append: GCC 12 -O3 misreports "@" + string
    at_name.append(chunk_name);
    LoadArgs args{std::move(at_name), source, parent_ref == LUA_NOREF ? base_ref_ : parent_ref};
    Status status = call(load_chunk_protected, &args, limits);
    if (!status.ok()) return status.error();
    return args.declared_ref;
}

void Sandbox::push_table_over_base() {
    lua_newtable(L_);
    lua_newtable(L_);
    lua_rawgeti(L_, LUA_REGISTRYINDEX, base_ref_);
    lua_setfield(L_, -2, "__index");
    lua_setmetatable(L_, -2);
}

void Sandbox::set_fixed_now(std::optional<double> seconds) { context_->fixed_now = seconds; }

void Sandbox::unref(int ref) { luaL_unref(L_, LUA_REGISTRYINDEX, ref); }

std::size_t Sandbox::memory_in_use() const { return context_->used; }

std::size_t Sandbox::collect_garbage() {
    lua_gc(L_, LUA_GCCOLLECT);
    return context_->used;
}

}  // namespace admit::policy

// Sandbox: one Lua 5.4 state set up for policies.
//
// What a chunk can reach: assert error ipairs next pairs pcall xpcall select tonumber tostring
// type rawequal rawget rawlen getmetatable setmetatable _VERSION, read-only string (without
// dump), math (without random/randomseed), table and utf8, plus now() (host clock), null (JSON
// null) and array(t) (mark t as a JSON array). Naming io, os, debug, package, require, load,
// loadstring, loadfile, dofile, collectgarbage, rawset, print or coroutine raises "'<name>' is not
// available in policies". Chunks are text only (binary chunks are refused).
//
// Metatables: every metatable the host creates (the environment's, the declared table's, the
// library views', the string metatable, the JSON-array metatable) has __metatable = false:
// getmetatable answers false, setmetatable and array() refuse to replace it, so no script can
// edit a table shared by the policies of a state. setmetatable refuses a metatable with a raw
// __gc field (of any value) or a __mode field. Lua marks an object for finalization only at
// setmetatable time (manual §2.5.3), so no object ever has a finalizer and a collection (also
// collect_garbage() and lua_close) never runs script code. __close runs inside the call, under
// its bounds.
//
// Globals: while a chunk's top level runs, its global assignments go into its own "declared"
// table; after that the environment is frozen and any global assignment raises "assignment to
// undeclared global '<name>'". Top-level helpers should be `local`. Tables stay mutable: what a
// state keeps across calls is bounded by PolicyWorker (Limits::retained_bytes), not here.
//
// Bounds: every call made through call() runs under Limits: an instruction budget (count hook),
// a memory cap (the allocator refuses growth beyond the state's size at call start plus
// memory_bytes) and a deadline (checked in the same hook, and by the allocator on every growth of
// 64 KiB or more, since one instruction can copy megabytes). Library functions that loop in C,
// where the hook never fires, charge their work to the budget before they start (charge_work):
// pattern matching (bounded_patterns.hpp) and the table library, string.byte and
// utf8.codepoint (bounded_loops.hpp). Exceeding a bound ends the call with a clear message even
// if the script catches the error with pcall; the state stays usable.
//
// Coroutines are not available: hooks belong to one lua_State (thread), so a coroutine would run
// without the budget and the deadline. Exposing them would need the hook set on every new
// thread.
//
// Thread-safety: a Sandbox belongs to one thread at a time.
#pragma once

#include "host/common/result.hpp"
#include "host/policy/policy_types.hpp"

#include <lua.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace admit::policy {

struct SandboxContext;  // allocator, hook and clock state (sandbox.cpp)

class Sandbox {
  public:
    // Returns an error when the state cannot be created (out of memory).
    static Result<std::unique_ptr<Sandbox>> create(Clock clock);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    lua_State* state() const { return L_; }

    // Runs fn(arg) as a protected call under limits. fn receives arg as light userdata at index
    // 1 and may raise Lua errors. On failure returns the message ("<file>:<line>: ..." when the
    // error has a location). The stack is left as it was.
    Status call(lua_CFunction fn, void* arg, const Limits& limits);

    // Compiles a text chunk, runs its top level under limits with globals going into a new
    // declared table whose lookups fall back to the table referenced by parent_ref (or the
    // sandbox base when parent_ref is LUA_NOREF), then freezes it. Returns a registry reference
    // to the declared table. chunk_name is shown in messages ("fees.lua").
    Result<int> load_chunk(std::string_view chunk_name, std::string_view source,
                           const Limits& limits, int parent_ref = LUA_NOREF);

    // Pushes a new table whose lookups fall back to the sandbox base (for test extras).
    void push_table_over_base();

    // Fixes what now() returns (tests); std::nullopt returns to the clock.
    void set_fixed_now(std::optional<double> seconds);

    // Releases a registry reference.
    void unref(int ref);

    // Bytes the state holds now (live objects and garbage not yet collected).
    std::size_t memory_in_use() const;

    // Runs a full collection (no finalizer can exist, so no script runs) and returns the bytes
    // still held. Call between calls, never from inside one.
    std::size_t collect_garbage();

  private:
    Sandbox() = default;
    lua_State* L_ = nullptr;
    std::unique_ptr<SandboxContext> context_;
    int base_ref_ = LUA_NOREF;
};

// For C functions registered in a sandbox, inside a call(): charges `units` of work done outside
// the VM (one unit costs about one VM instruction) to the call's instruction budget and checks
// the deadline. When either is exceeded it raises the bound's error (longjmp: call it before
// creating C++ objects with destructors) and the call ends as if the hook had stopped it.
void charge_work(lua_State* L, std::uint64_t units);

// How many tables one access to the value at idx may visit through its `field` metamethod
// ("__index" or "__newindex"): 1 plus the tables chained behind it (Lua stops at 2000). Raw
// lookups only; runs no script. Cost estimates multiply their per-element work by it.
std::uint64_t lookup_chain_length(lua_State* L, int idx, const char* field);

}  // namespace admit::policy

#include "host/policy/bounded_loops.hpp"

#include "host/policy/sandbox.hpp"

#include <algorithm>
#include <bit>

namespace admit::policy {
namespace {

constexpr std::uint64_t kCap = std::uint64_t{1} << 62;  // saturation point of the estimates

std::uint64_t mul_capped(std::uint64_t a, std::uint64_t b) {
    if (a == 0 || b == 0) return 0;
    return a > kCap / b ? kCap : a * b;
}

// Elements in [first, last] (0 when empty), saturated.
std::uint64_t range_size(lua_Integer first, lua_Integer last) {
    if (last < first) return 0;
    const std::uint64_t span = static_cast<std::uint64_t>(last) - static_cast<std::uint64_t>(first);
    return span >= kCap ? kCap : span + 1;
}

// Checks that arg is a table without __len and returns its (raw) length.
lua_Integer checked_length(lua_State* L, int arg, const char* function) {
    luaL_checktype(L, arg, LUA_TTABLE);
    if (luaL_getmetafield(L, arg, "__len") != LUA_TNIL) {
        luaL_error(L, "%s does not accept a table with a __len metamethod in policies", function);
    }
    return static_cast<lua_Integer>(lua_rawlen(L, arg));
}

// Charges `elements` accesses, each through the read chain of `from` and the write chain of
// `to` (0 for none).
void charge_elements(lua_State* L, std::uint64_t elements, int from, int to) {
    std::uint64_t per_element = 0;
    if (from != 0) per_element += lookup_chain_length(L, from, "__index");
    if (to != 0) per_element += lookup_chain_length(L, to, "__newindex");
    charge_work(L, mul_capped(mul_capped(elements, per_element), kTableUnitsPerElement));
}

int call_original(lua_State* L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

int bounded_concat(lua_State* L) {
    const lua_Integer length = checked_length(L, 1, "table.concat");
    luaL_optlstring(L, 2, "", nullptr);
    const lua_Integer first = luaL_optinteger(L, 3, 1);
    const lua_Integer last = lua_isnoneornil(L, 4) ? length : luaL_checkinteger(L, 4);
    charge_elements(L, range_size(first, last), 1, 0);
    lua_settop(L, 2);
    lua_pushinteger(L, first);
    lua_pushinteger(L, last);
    return call_original(L);
}

int bounded_unpack(lua_State* L) {
    const lua_Integer length = checked_length(L, 1, "table.unpack");
    const lua_Integer first = luaL_optinteger(L, 2, 1);
    const lua_Integer last = lua_isnoneornil(L, 3) ? length : luaL_checkinteger(L, 3);
    charge_elements(L, range_size(first, last), 1, 0);
    lua_settop(L, 1);
    lua_pushinteger(L, first);
    lua_pushinteger(L, last);
    return call_original(L);
}

int bounded_insert(lua_State* L) {
    const lua_Integer length = checked_length(L, 1, "table.insert");
    std::uint64_t shifted = 1;
    if (lua_gettop(L) == 3) {
        const lua_Integer position = luaL_checkinteger(L, 2);
        if (position >= 1 && position <= length + 1) shifted = range_size(position, length + 1);
    }
    charge_elements(L, shifted, 1, 1);
    return call_original(L);
}

int bounded_remove(lua_State* L) {
    const lua_Integer length = checked_length(L, 1, "table.remove");
    const lua_Integer position = luaL_optinteger(L, 2, length);
    const std::uint64_t shifted = position >= 1 ? range_size(position, length) : 0;
    charge_elements(L, shifted + 1, 1, 1);
    return call_original(L);
}

int bounded_move(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    const lua_Integer first = luaL_checkinteger(L, 2);
    const lua_Integer last = luaL_checkinteger(L, 3);
    luaL_checkinteger(L, 4);
    const int destination = lua_isnoneornil(L, 5) ? 1 : 5;
    luaL_checktype(L, destination, LUA_TTABLE);
    charge_elements(L, range_size(first, last), 1, destination);
    return call_original(L);
}

int bounded_sort(lua_State* L) {
    const lua_Integer length = checked_length(L, 1, "table.sort");
    const auto n = static_cast<std::uint64_t>(length);
    const std::uint64_t depth = n > 1 ? static_cast<std::uint64_t>(std::bit_width(n)) : 1;
    charge_elements(L, mul_capped(mul_capped(n, depth), 2), 1, 1);  // compares and swaps
    return call_original(L);
}

// Lua's posrelat for string positions: negative counts from the end, clamped into [0, length].
lua_Integer string_position(lua_Integer position, lua_Integer length) {
    if (position >= 0) return position;
    if (-position > length) return 0;
    return length + position + 1;
}

// string.byte(s [, i [, j]]) and utf8.codepoint(s [, i [, j]]): one result per byte of s[i..j].
int bounded_bytes(lua_State* L) {
    std::size_t size = 0;
    luaL_checklstring(L, 1, &size);
    const auto length = static_cast<lua_Integer>(size);
    const lua_Integer first =
        std::max<lua_Integer>(string_position(luaL_optinteger(L, 2, 1), length), 1);
    const lua_Integer last =
        std::min(string_position(luaL_optinteger(L, 3, first), length), length);
    charge_work(L, range_size(first, last));
    return call_original(L);
}

void wrap(lua_State* L, int library, const char* name, lua_CFunction wrapper) {
    lua_getfield(L, library, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, library, name);
}

}  // namespace

void install_bounded_loops(lua_State* L) {
    lua_getglobal(L, LUA_TABLIBNAME);
    const int table = lua_gettop(L);
    wrap(L, table, "concat", bounded_concat);
    wrap(L, table, "insert", bounded_insert);
    wrap(L, table, "move", bounded_move);
    wrap(L, table, "remove", bounded_remove);
    wrap(L, table, "sort", bounded_sort);
    wrap(L, table, "unpack", bounded_unpack);
    lua_getglobal(L, LUA_STRLIBNAME);
    wrap(L, lua_gettop(L), "byte", bounded_bytes);
    lua_getglobal(L, LUA_UTF8LIBNAME);
    wrap(L, lua_gettop(L), "codepoint", bounded_bytes);
    lua_pop(L, 3);
}

}  // namespace admit::policy

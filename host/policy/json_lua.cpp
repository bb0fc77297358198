#include "host/policy/json_lua.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace admit::policy {
namespace {

const char kArrayMetatableKey = 0;  // its address keys the registry entry

void push_value(lua_State* L, const boost::json::value& v, int depth);

void push_array(lua_State* L, const boost::json::array& array, int depth) {
    lua_createtable(L, static_cast<int>(array.size()), 0);
    lua_Integer index = 1;
    for (const auto& element : array) {
        if (element.is_null()) {
            lua_pushlightuserdata(L, nullptr);
        } else {
            push_value(L, element, depth + 1);
        }
        lua_rawseti(L, -2, index++);
    }
    push_array_metatable(L);
    lua_setmetatable(L, -2);
}

void push_object(lua_State* L, const boost::json::object& object, int depth) {
    lua_createtable(L, 0, static_cast<int>(object.size()));
    for (const auto& member : object) {
        if (member.value().is_null()) continue;
        lua_pushlstring(L, member.key().data(), member.key().size());
        push_value(L, member.value(), depth + 1);
        lua_rawset(L, -3);
    }
}

void push_value(lua_State* L, const boost::json::value& v, int depth) {
    if (depth > kMaxJsonDepth) luaL_error(L, "input nested deeper than %d levels", kMaxJsonDepth);
    luaL_checkstack(L, 4, "input too deep");
    switch (v.kind()) {
        case boost::json::kind::null:
            lua_pushlightuserdata(L, nullptr);
            break;
        case boost::json::kind::bool_:
            lua_pushboolean(L, v.get_bool());
            break;
        case boost::json::kind::int64:
            lua_pushinteger(L, v.get_int64());
            break;
        case boost::json::kind::uint64:
            if (v.get_uint64() <=
                static_cast<std::uint64_t>(std::numeric_limits<lua_Integer>::max())) {
                lua_pushinteger(L, static_cast<lua_Integer>(v.get_uint64()));
            } else {
                lua_pushnumber(L, static_cast<lua_Number>(v.get_uint64()));
            }
            break;
        case boost::json::kind::double_:
            lua_pushnumber(L, v.get_double());
            break;
        case boost::json::kind::string: {
            const auto& s = v.get_string();
            lua_pushlstring(L, s.data(), s.size());
            break;
        }
        case boost::json::kind::array:
            push_array(L, v.get_array(), depth);
            break;
        case boost::json::kind::object:
            push_object(L, v.get_object(), depth);
            break;
    }
}

bool has_array_metatable(lua_State* L, int idx) {
    if (!lua_getmetatable(L, idx)) return false;
    push_array_metatable(L);
    const bool same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
}

void append_escaped(std::string& out, const char* data, std::size_t size) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t plain = 0;  // the common case: nothing to escape
    while (plain < size && static_cast<unsigned char>(data[plain]) >= 0x20 && data[plain] != '"' &&
           data[plain] != '\\') {
        ++plain;
    }
    out.append(data, plain);
    for (std::size_t i = plain; i < size; ++i) {
        const auto c = static_cast<unsigned char>(data[i]);
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            case '\b':
                out.append("\\b");
                break;
            case '\f':
                out.append("\\f");
                break;
            default:
                if (c < 0x20) {
                    out.append("\\u00");
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xf]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

template <typename Number>
void append_number(std::string& out, Number number) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
    out.append(buffer.data(), result.ptr);
}

bool write_value(lua_State* L, int idx, std::string& out, std::string& error, int depth);

// An object member inside a scratch buffer: [key_begin, key_end) is the raw key,
// [value_begin, value_end) the value's JSON text.
struct Member {
    std::size_t key_begin, key_end, value_begin, value_end;
};

// One buffer per nesting depth, per thread: nested tables write into the next depth's buffer.
std::string& scratch_for_depth(int depth) {
    thread_local std::array<std::string, kMaxJsonDepth + 2> buffers;
    return buffers[static_cast<std::size_t>(depth)];
}

bool write_table(lua_State* L, int idx, std::string& out, std::string& error, int depth) {
    const lua_Unsigned length = lua_rawlen(L, idx);
    bool as_array = has_array_metatable(L, idx);
    if (!as_array && length > 0) {
        lua_Unsigned keys = 0;
        lua_pushnil(L);
        while (lua_next(L, idx) != 0) {
            ++keys;
            lua_pop(L, 1);
        }
        as_array = keys == length;
    }
    if (as_array) {
        out.push_back('[');
        for (lua_Unsigned i = 1; i <= length; ++i) {
            if (i > 1) out.push_back(',');
            lua_rawgeti(L, idx, static_cast<lua_Integer>(i));
            const bool ok = write_value(L, lua_gettop(L), out, error, depth + 1);
            lua_pop(L, 1);
            if (!ok) return false;
        }
        out.push_back(']');
        return true;
    }
    // Members are written with sorted keys: Lua's table order depends on a per-state hash seed,
    // and a decision must read the same on every thread and host. Keys and values are first
    // written into this depth's scratch buffer (reused across calls), then emitted in key order.
    std::string& scratch = scratch_for_depth(depth);
    scratch.clear();
    boost::container::small_vector<Member, 16> members;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        Member member{scratch.size(), 0, 0, 0};
        if (lua_type(L, -2) == LUA_TSTRING) {
            std::size_t size = 0;
            const char* data = lua_tolstring(L, -2, &size);  // a string key: no conversion
            scratch.append(data, size);
        } else if (lua_isinteger(L, -2)) {
            append_number(scratch, static_cast<long long>(lua_tointeger(L, -2)));
        } else {
            error = std::string("table key of type ") + luaL_typename(L, -2) +
                    " cannot become a JSON object key";
            lua_pop(L, 2);
            return false;
        }
        member.key_end = member.value_begin = scratch.size();
        if (!write_value(L, lua_gettop(L), scratch, error, depth + 1)) {
            lua_pop(L, 2);
            return false;
        }
        member.value_end = scratch.size();
        members.push_back(member);
        lua_pop(L, 1);
    }
    const std::string_view text(scratch);
    std::sort(members.begin(), members.end(), [&](const Member& a, const Member& b) {
        return text.substr(a.key_begin, a.key_end - a.key_begin) <
               text.substr(b.key_begin, b.key_end - b.key_begin);
    });
    out.push_back('{');
    for (std::size_t i = 0; i < members.size(); ++i) {
        const Member& member = members[i];
        if (i > 0) out.push_back(',');
        append_escaped(out, text.data() + member.key_begin, member.key_end - member.key_begin);
        out.push_back(':');
        out.append(text.substr(member.value_begin, member.value_end - member.value_begin));
    }
    out.push_back('}');
    if (scratch.capacity() > (64u << 10)) std::string().swap(scratch);  // do not hoard a big one
    return true;
}

bool write_value(lua_State* L, int idx, std::string& out, std::string& error, int depth) {
    if (depth > kMaxJsonDepth) {
        error = "value nested deeper than " + std::to_string(kMaxJsonDepth) +
                " levels (or a table refers to itself)";
        return false;
    }
    if (!lua_checkstack(L, 4)) {
        error = "Lua stack exhausted while converting to JSON";
        return false;
    }
    switch (lua_type(L, idx)) {
        case LUA_TNIL:
            out.append("null");
            return true;
        case LUA_TBOOLEAN:
            out.append(lua_toboolean(L, idx) ? "true" : "false");
            return true;
        case LUA_TNUMBER: {
            if (lua_isinteger(L, idx)) {
                append_number(out, static_cast<long long>(lua_tointeger(L, idx)));
                return true;
            }
            const double number = lua_tonumber(L, idx);
            if (!std::isfinite(number)) {
                error = "number is NaN or infinite";
                return false;
            }
            constexpr double kExactIntegerLimit = 9007199254740992.0;  // 2^53
            if (std::floor(number) == number && std::fabs(number) < kExactIntegerLimit) {
                append_number(out, static_cast<long long>(number));
            } else {
                append_number(out, number);
            }
            return true;
        }
        case LUA_TSTRING: {
            std::size_t size = 0;
            const char* data = lua_tolstring(L, idx, &size);
            append_escaped(out, data, size);
            return true;
        }
        case LUA_TLIGHTUSERDATA:
            if (lua_touserdata(L, idx) == nullptr) {
                out.append("null");
                return true;
            }
            break;
        case LUA_TTABLE:
            return write_table(L, idx, out, error, depth);
        default:
            break;
    }
    error = std::string("a ") + luaL_typename(L, idx) + " value cannot become JSON";
    return false;
}

}  // namespace

void install_json_support(lua_State* L) {
    lua_newtable(L);
    lua_pushliteral(L, "json array");
    lua_setfield(L, -2, "__name");
    // Protected: getmetatable() answers false and setmetatable() refuses to replace it, so a
    // policy can neither edit this shared table (e.g. give it __gc) nor strip it from an array.
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &kArrayMetatableKey);
}

void push_array_metatable(lua_State* L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &kArrayMetatableKey); }

void push_json(lua_State* L, const boost::json::value& v) { push_value(L, v, 0); }

bool lua_to_json_text(lua_State* L, int idx, std::string& out, std::string& error) {
    return write_value(L, lua_absindex(L, idx), out, error, 0);
}

bool lua_to_json(lua_State* L, int idx, boost::json::value& out, std::string& error) {
    std::string text;
    if (!lua_to_json_text(L, idx, text, error)) return false;
    boost::system::error_code parse_error;
    out = boost::json::parse(text, parse_error);
    if (parse_error) {
        error = "invalid JSON text (is a string not UTF-8?): " + parse_error.message();
        return false;
    }
    return true;
}

}  // namespace admit::policy

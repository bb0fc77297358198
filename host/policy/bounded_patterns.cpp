#include "host/policy/bounded_patterns.hpp"

#include "host/policy/sandbox.hpp"

#include <algorithm>
#include <cctype>

namespace admit::policy {
namespace {

// Saturating arithmetic: results above cap come back as cap + 1.
std::uint64_t mul_capped(std::uint64_t a, std::uint64_t b, std::uint64_t cap) {
    if (a == 0 || b == 0) return 0;
    if (a > (cap + 1) / b) return cap + 1;
    return std::min(a * b, cap + 1);
}

std::uint64_t add_capped(std::uint64_t a, std::uint64_t b, std::uint64_t cap) {
    if (a > cap || b > cap - a) return cap + 1;
    return a + b;
}

// Lua's character classes (%a, %d, ...; upper case is the complement, anything else literal).
bool matches_class(unsigned char c, unsigned char cl) {
    bool result = false;
    switch (std::tolower(cl)) {
        case 'a':
            result = std::isalpha(c) != 0;
            break;
        case 'c':
            result = std::iscntrl(c) != 0;
            break;
        case 'd':
            result = std::isdigit(c) != 0;
            break;
        case 'g':
            result = std::isgraph(c) != 0;
            break;
        case 'l':
            result = std::islower(c) != 0;
            break;
        case 'p':
            result = std::ispunct(c) != 0;
            break;
        case 's':
            result = std::isspace(c) != 0;
            break;
        case 'u':
            result = std::isupper(c) != 0;
            break;
        case 'w':
            result = std::isalnum(c) != 0;
            break;
        case 'x':
            result = std::isxdigit(c) != 0;
            break;
        default:
            return cl == c;
    }
    return std::isupper(cl) != 0 ? !result : result;
}

// [set]: pattern[begin] is '[', pattern[close] its ']'.
bool matches_set(unsigned char c, std::string_view pattern, std::size_t begin, std::size_t close) {
    bool found = true;
    std::size_t i = begin + 1;
    if (i < close && pattern[i] == '^') {
        found = false;
        ++i;
    }
    for (; i < close; ++i) {
        const auto at = static_cast<unsigned char>(pattern[i]);
        if (at == '%' && i + 1 < close) {
            ++i;
            if (matches_class(c, static_cast<unsigned char>(pattern[i]))) return found;
        } else if (i + 2 < close && pattern[i + 1] == '-') {
            if (at <= c && c <= static_cast<unsigned char>(pattern[i + 2])) return found;
            i += 2;
        } else if (at == c) {
            return found;
        }
    }
    return !found;
}

// The end (one past) of the single-character class starting at i, as lstrlib's classEnd finds
// it; a malformed class ends at the pattern's end.
std::size_t class_end(std::string_view pattern, std::size_t i) {
    const std::size_t m = pattern.size();
    const char c = pattern[i++];
    if (c == '%') return std::min(i + 1, m);
    if (c != '[') return i;
    if (i < m && pattern[i] == '^') ++i;
    do {
        if (i >= m) return m;
        if (pattern[i++] == '%' && i < m) ++i;
    } while (i >= m || pattern[i] != ']');
    return i + 1;
}

bool single_match(unsigned char c, std::string_view pattern, std::size_t begin, std::size_t end) {
    switch (pattern[begin]) {
        case '.':
            return true;
        case '%':
            return begin + 1 < end &&
                   matches_class(c, static_cast<unsigned char>(pattern[begin + 1]));
        case '[':
            return end - begin >= 2 && matches_set(c, pattern, begin, end - 1);
        default:
            return static_cast<unsigned char>(pattern[begin]) == c;
    }
}

}  // namespace

PatternCost estimate_pattern_cost(std::string_view subject, std::string_view pattern,
                                  bool anchor_allowed, std::uint64_t limit) noexcept {
    const std::uint64_t n = subject.size();
    const std::size_t m = pattern.size();
    PatternCost cost;
    std::size_t i = 0;
    std::uint64_t starts = n + 1;
    if (anchor_allowed && m > 0 && pattern[0] == '^') {
        starts = 1;
        i = 1;
    }
    std::uint64_t product = mul_capped(starts, m + 1, limit);
    while (i < m && product <= limit) {
        const char c = pattern[i];
        if (c == '(' || c == ')') {
            i += (c == '(' && i + 1 < m && pattern[i + 1] == ')') ? 2 : 1;
            continue;
        }
        if (c == '$' && i + 1 == m) break;
        if (c == '%' && i + 1 < m) {
            const char next = pattern[i + 1];
            if (next == 'b') {  // %bxy: a scan of the subject, then the rest once
                product = mul_capped(product, n + 1, limit);
                i = std::min(i + 4, m);
                continue;
            }
            if (next == 'f') {  // %f[set]: one test
                i += 2;
                if (i < m) i = class_end(pattern, i);
                continue;
            }
            if (next >= '0' && next <= '9') {  // back-reference: a comparison of up to n bytes
                product = mul_capped(product, n + 1, limit);
                i += 2;
                continue;
            }
        }
        const std::size_t end = class_end(pattern, i);
        const char quantifier = end < m ? pattern[end] : '\0';
        if (quantifier == '?') {
            product = mul_capped(product, 2, limit);
        } else if (quantifier == '*' || quantifier == '+' || quantifier == '-') {
            std::uint64_t run = n;
            if (pattern[i] != '.') {
                const std::uint64_t scan = mul_capped(n, end - i, limit);
                cost.scanned = add_capped(cost.scanned, scan, limit);
                if (cost.scanned > limit) {
                    cost.steps = limit + 1;
                    return cost;
                }
                run = 0;
                std::uint64_t current = 0;
                for (const char byte : subject) {
                    if (single_match(static_cast<unsigned char>(byte), pattern, i, end)) {
                        run = std::max(run, ++current);
                    } else {
                        current = 0;
                    }
                }
            }
            product = mul_capped(product, run + 1, limit);
        }
        i = quantifier == '\0' ||
                    std::string_view("?*+-").find(quantifier) == std::string_view::npos
                ? end
                : end + 1;
    }
    cost.steps = add_capped(product, cost.scanned, limit);
    return cost;
}

namespace {

enum class Kind { find, match, gmatch, gsub };

// gsub's work besides matching: one replacement per match (at most n + 1 of them).
std::uint64_t replacement_work(lua_State* L, std::uint64_t n, std::uint64_t limit) {
    std::uint64_t each = 1;
    if (lua_type(L, 3) == LUA_TSTRING) {
        each = lua_rawlen(L, 3) + 1;
    } else if (lua_type(L, 3) == LUA_TTABLE) {
        each = lookup_chain_length(L, 3, "__index");
    }
    return mul_capped(n + 1, each, limit);
}

template <Kind kind>
int bounded_match(lua_State* L) {
    std::size_t n = 0;
    std::size_t m = 0;
    const char* subject = luaL_checklstring(L, 1, &n);
    const char* pattern = luaL_checklstring(L, 2, &m);
    const std::uint64_t limit = kMaxPatternSteps;
    PatternCost cost;
    if (kind == Kind::find && lua_toboolean(L, 4)) {  // plain search: up to n x m comparisons
        cost.steps = mul_capped(std::uint64_t{n} + 1, std::uint64_t{m} + 1, limit);
    } else {
        cost = estimate_pattern_cost({subject, n}, {pattern, m}, kind != Kind::gmatch, limit);
    }
    if (kind == Kind::gsub)
        cost.steps = add_capped(cost.steps, replacement_work(L, n, limit), limit);
    if (cost.steps > limit) {
        charge_work(L, cost.scanned);
        return luaL_error(L,
                          "pattern too complex for a subject of %I bytes (more than %I estimated "
                          "matcher steps)",
                          static_cast<lua_Integer>(n), static_cast<lua_Integer>(limit));
    }
    charge_work(L, cost.steps);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

void wrap(lua_State* L, int library, const char* name, lua_CFunction wrapper) {
    lua_getfield(L, library, name);
    lua_pushcclosure(L, wrapper, 1);
    lua_setfield(L, library, name);
}

}  // namespace

void install_bounded_patterns(lua_State* L) {
    const int library = lua_gettop(L);
    wrap(L, library, "find", bounded_match<Kind::find>);
    wrap(L, library, "match", bounded_match<Kind::match>);
    wrap(L, library, "gmatch", bounded_match<Kind::gmatch>);
    wrap(L, library, "gsub", bounded_match<Kind::gsub>);
}

}  // namespace admit::policy

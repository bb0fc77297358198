// bench_policy_patterns: the slowest pattern matches the policy sandbox still accepts.
//
// For adversarial shapes (nested lazy/greedy quantifiers on a subject they all match, %b on
// unbalanced text, exponential a?...a?a...a, plain search with a near-miss needle, back-references,
// gsub), finds the longest subject whose estimate stays within kMaxPatternSteps and times Lua's
// own matcher (lstrlib, without the wrappers) on it. Prints one line per shape and the maximum.
// The figure to compare: the policy deadline (50 ms by default).
#include "host/policy/bounded_patterns.hpp"

#include <lua.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace {

using admit::policy::estimate_pattern_cost;
using admit::policy::kMaxPatternSteps;

struct Shape {
    const char* name;
    const char* call;  // Lua expression over s (the subject) and p (the pattern)
    std::function<std::string(std::size_t)> subject;
    std::function<std::string(std::size_t)> pattern;
    bool anchor_allowed = true;
    bool plain = false;
    std::size_t extra_per_byte = 0;  // gsub replacement work per start (as the wrapper adds)
};

std::uint64_t estimate(const Shape& shape, std::size_t n) {
    const std::string s = shape.subject(n);
    const std::string p = shape.pattern(n);
    std::uint64_t steps =
        shape.plain ? (s.size() + 1) * (p.size() + 1)
                    : estimate_pattern_cost(s, p, shape.anchor_allowed, kMaxPatternSteps).steps;
    return steps + (s.size() + 1) * shape.extra_per_byte;
}

// The largest n (up to 1 << 24) whose estimate is within the bound.
std::size_t largest_accepted(const Shape& shape) {
    std::size_t low = 1, high = std::size_t{1} << 24;
    if (estimate(shape, low) > kMaxPatternSteps) return 0;
    while (low < high) {
        const std::size_t mid = low + (high - low + 1) / 2;
        if (estimate(shape, mid) <= kMaxPatternSteps) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    return low;
}

double time_ms(lua_State* L, const Shape& shape, std::size_t n) {
    const std::string s = shape.subject(n);
    const std::string p = shape.pattern(n);
    lua_pushlstring(L, s.data(), s.size());
    lua_setglobal(L, "s");
    lua_pushlstring(L, p.data(), p.size());
    lua_setglobal(L, "p");
    const std::string code = std::string("local s, p = s, p; return ") + shape.call;
    double worst = 0;
    for (int round = 0; round < 3; ++round) {
        const auto started = std::chrono::steady_clock::now();
        if (luaL_dostring(L, code.c_str()) != LUA_OK) {
            std::printf("  error: %s\n", lua_tostring(L, -1));
        }
        const std::chrono::duration<double, std::milli> took =
            std::chrono::steady_clock::now() - started;
        worst = std::max(worst, took.count());
        lua_settop(L, 0);
    }
    return worst;
}

std::string repeat(const std::string& unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

}  // namespace

int main() {
    auto as = [](std::size_t n) { return std::string(n, 'a'); };
    const std::vector<Shape> shapes = {
        {"find .-b", "string.find(s, p)", as, [](std::size_t) { return std::string(".-b"); }},
        {"find .-.-b", "string.find(s, p)", as, [](std::size_t) { return std::string(".-.-b"); }},
        {"find .-.-.-b", "string.find(s, p)", as,
         [](std::size_t) { return std::string(".-.-.-b"); }},
        {"find a*a*a*a*b", "string.find(s, p)", as,
         [](std::size_t) { return std::string("a*a*a*a*b"); }},
        {"match ^(.-)%s*$ on spaces", "string.match(s, p)",
         [](std::size_t n) { return std::string(n, ' ') + "x"; },
         [](std::size_t) { return std::string("^(.-)%s*$"); }},
        {"find %b() on ((((", "string.find(s, p)",
         [](std::size_t n) { return std::string(n, '('); },
         [](std::size_t) { return std::string("%b()"); }},
        {"find (a?)^k a^k", "string.find(s, p)", as,
         [](std::size_t n) { return repeat("a?", n) + std::string(n, 'a'); }},
        {"find (a*)%1b back-reference", "string.find(s, p)", as,
         [](std::size_t) { return std::string("(a*)%1b"); }},
        {"plain find, near-miss needle of 1/4 n", "string.find(s, p, 1, true)", as,
         [](std::size_t n) { return std::string(n / 4, 'a') + "b"; }, true, true},
        {"gmatch .-.-b (whole loop)", "(function() for _ in string.gmatch(s, p) do end end)()", as,
         [](std::size_t) { return std::string(".-.-b"); }, false},
        {"gsub .-b with %0%0", "string.gsub(s, p, '%0%0')", as,
         [](std::size_t) { return std::string(".-b"); }, true, false, 5},
        {"find [%a%d_%-]*[%a%d_%-]*b (set classes)", "string.find(s, p)", as,
         [](std::size_t) { return std::string("[%a%d_%-]*[%a%d_%-]*b"); }},
    };
    lua_State* L = luaL_newstate();
    luaL_openlibs(L);
    double worst = 0;
    std::printf("kMaxPatternSteps = %llu\n", static_cast<unsigned long long>(kMaxPatternSteps));
    for (const Shape& shape : shapes) {
        const std::size_t n = largest_accepted(shape);
        if (n == 0) {
            std::printf("%-45s refused at every size\n", shape.name);
            continue;
        }
        const double ms = time_ms(L, shape, n);
        worst = std::max(worst, ms);
        std::printf("%-45s largest accepted n = %8zu  estimate %9llu  time %8.3f ms\n", shape.name,
                    n, static_cast<unsigned long long>(estimate(shape, n)), ms);
    }
    std::printf("worst accepted case: %.3f ms\n", worst);
    lua_close(L);
    return 0;
}

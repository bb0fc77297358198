// What a registration must look like to be accepted: the one set of rules that admitd and the SDK's
// FakeHost both apply, so that a plugin whose unit tests pass against the fake host registers the
// same way on the real one (tests/runtime/fake_host_conformance_test.cpp compares the two).
//
// Header-only C++17, no dependency beyond the standard library; every function is pure and
// thread-safe. A rule answers std::nullopt when the input is acceptable, or the reason it is not.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace admit::rules {

/// Names a venue declares ([access] roles, rate_categories).
using Names = std::set<std::string, std::less<>>;

/// A plugin-local name (subscriber, job): 1 to 100 characters of [A-Za-z0-9_.-].
inline bool is_local_name(std::string_view name) {
    return !name.empty() && name.size() <= 100 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
}

/// A route's HTTP method: 1 to 16 upper-case letters ("GET", "POST", ...).
inline bool is_route_method(std::string_view method) {
    return !method.empty() && method.size() <= 16 &&
           std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

/// A topic an event is published to: not empty, no '*'.
inline bool is_publish_topic(std::string_view topic) {
    return !topic.empty() && topic.find('*') == std::string_view::npos;
}

/// A subscription topic: an exact topic, or a prefix ending in a single '*' ("reservation.*").
inline bool is_subscription_topic(std::string_view topic) {
    const auto star = topic.find('*');
    return !topic.empty() && (star == std::string_view::npos || star == topic.size() - 1);
}

/// A service method offered by plugin `plugin`: "<plugin>.<method>", the method a local name.
inline std::optional<std::string> service_method_problem(std::string_view plugin,
                                                         std::string_view method) {
    const std::string prefix = std::string(plugin) + ".";
    if (method.size() <= prefix.size() || method.substr(0, prefix.size()) != prefix ||
        !is_local_name(method.substr(prefix.size()))) {
        return "service method '" + std::string(method) + "' must be named '" + prefix +
               "<method>' ([A-Za-z0-9_.-])";
    }
    return std::nullopt;
}

/// The roles of a route or stream: "public", "authenticated", or a comma-separated list of declared
/// roles (spaces around names ignored). Fills `roles` (the listed names) when given.
namespace detail {
inline std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

/// Calls `visit(role)` for every comma-separated item of a role list (trimmed; empty items
/// included) until it returns false. "public" and "authenticated" list nothing.
template <class Visit>
void for_each_listed_role(std::string_view text, Visit&& visit) {
    text = trim_spaces(text);
    if (text == "public" || text == "authenticated") return;
    while (!text.empty()) {
        const auto comma = text.find(',');
        if (!visit(trim_spaces(text.substr(0, comma)))) return;
        if (comma == std::string_view::npos) return;
        text.remove_prefix(comma + 1);
    }
}
}  // namespace detail

/// The role names a role list mentions (syntax only, nothing checked against a declaration).
inline Names listed_roles(std::string_view text) {
    Names names;
    detail::for_each_listed_role(text, [&names](std::string_view role) {
        if (!role.empty()) names.emplace(role);
        return true;
    });
    return names;
}

inline std::optional<std::string> roles_problem(std::string_view text, const Names& declared,
                                                Names* roles = nullptr) {
    const std::string_view trimmed = detail::trim_spaces(text);
    if (trimmed == "public" || trimmed == "authenticated") return std::nullopt;
    Names listed;
    std::optional<std::string> problem;
    detail::for_each_listed_role(text, [&](std::string_view role) {
        if (!declared.count(role)) {
            std::string known;
            for (const auto& d : declared) known += (known.empty() ? "" : ", ") + d;
            problem =
                "role '" + std::string(role) +
                "' is not declared (use public, authenticated, or a role of [access] roles: " +
                (known.empty() ? "none declared" : known) + ")";
            return false;
        }
        listed.emplace(role);
        return true;
    });
    if (problem) return problem;
    if (listed.empty()) return "a route must state who may call it (roles is empty)";
    if (roles != nullptr) *roles = std::move(listed);
    return std::nullopt;
}

/// A route's rate category: empty (meaning "general") or a declared one.
inline std::optional<std::string> rate_category_problem(std::string_view category,
                                                        const Names& declared) {
    if (category.empty() || declared.count(category)) return std::nullopt;
    return "rate category '" + std::string(category) +
           "' is not declared in [access] rate_categories";
}

}  // namespace admit::rules

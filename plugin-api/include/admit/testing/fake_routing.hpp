// Route template matching and role checks of FakeHost (mirrors what admitd promises plugins).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::testing::detail {

inline std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> segments;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        const auto slash = path.find('/');
        segments.push_back(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    return segments;
}

/// A successful match: the path parameters and how many segments matched literally (more wins).
struct TemplateMatch {
    std::vector<std::pair<std::string, std::string>> params;
    std::size_t literal_segments = 0;
};

/// Matches "/api/v1/halls/{hallId}" against "/api/v1/halls/h_1"; a {param} takes one non-empty
/// segment.
inline std::optional<TemplateMatch> match_template(std::string_view path_template,
                                                   std::string_view path) {
    const auto pattern = split_path(path_template);
    const auto actual = split_path(path);
    if (pattern.size() != actual.size()) return std::nullopt;
    TemplateMatch match;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const auto p = pattern[i];
        if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
            match.params.emplace_back(std::string(p.substr(1, p.size() - 2)),
                                      std::string(actual[i]));
        } else if (p == actual[i]) {
            ++match.literal_segments;
        } else {
            return std::nullopt;
        }
    }
    return match;
}

/// 0 when `role`/`subject` may call a route with `roles`; else 401 (anonymous) or 403.
inline int role_refusal(std::string_view roles, std::string_view subject, std::string_view role) {
    if (roles == "public") return 0;
    if (subject.empty()) return 401;
    if (roles == "authenticated") return 0;
    while (!roles.empty()) {
        const auto comma = roles.find(',');
        std::string_view item = roles.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item == role) return 0;
        roles = comma == std::string_view::npos ? std::string_view{} : roles.substr(comma + 1);
    }
    return 403;
}

/// Whether an event topic matches a subscription topic (exact, or prefix ending in '*').
inline bool topic_matches(std::string_view subscription, std::string_view topic) {
    if (!subscription.empty() && subscription.back() == '*') {
        return topic.substr(0, subscription.size() - 1) ==
               subscription.substr(0, subscription.size() - 1);
    }
    return subscription == topic;
}

}  // namespace admit::testing::detail

#include "host/policy/source_diff.hpp"

#include <map>

namespace admit::policy {
namespace {

std::map<std::string_view, int> line_counts(std::string_view text) {
    std::map<std::string_view, int> counts;
    while (!text.empty()) {
        const auto end = text.find('\n');
        ++counts[text.substr(0, end)];
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return counts;
}

std::string one(std::string_view what, std::string_view before, std::string_view after) {
    if (before == after) return std::string(what) + " unchanged";
    auto old_lines = line_counts(before);
    int added = 0;
    for (const auto& [line, count] : line_counts(after)) {
        int& old_count = old_lines[line];
        const int common = std::min(old_count, count);
        added += count - common;
        old_count -= common;
    }
    int removed = 0;
    for (const auto& [line, count] : old_lines) removed += count;
    return std::string(what) + " +" + std::to_string(added) + " -" + std::to_string(removed) +
           " lines";
}

}  // namespace

std::string diff_summary(std::string_view source_before, std::string_view source_after,
                         std::string_view tests_before, std::string_view tests_after) {
    return one("source", source_before, source_after) + "; " +
           one("tests", tests_before, tests_after);
}

}  // namespace admit::policy

#include "host/policy/policy_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace admit::policy {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTestSuffix = "_test";

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

fs::path normalized(const fs::path& path) {
    std::error_code error;
    fs::path absolute = fs::absolute(path, error);
    return (error ? path : absolute).lexically_normal();
}

}  // namespace

bool is_valid_policy_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || ends_with(name, kTestSuffix)) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::optional<PolicyKey> parse_policy_key(std::string_view key) {
    const auto at = key.find('@');
    PolicyKey parsed{std::string(key.substr(0, at)), {}};
    if (!is_valid_policy_name(parsed.name)) return std::nullopt;
    if (at == std::string_view::npos) return parsed;
    const std::string_view scope = key.substr(at + 1);
    if (scope.empty() || scope.size() > 200 || scope.front() == '/' || scope.back() == '/' ||
        scope.find("//") != std::string_view::npos) {
        return std::nullopt;
    }
    for (char c : scope) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '/';
        if (!ok) return std::nullopt;
    }
    parsed.scope = std::string(scope);
    return parsed;
}

std::string policy_key(std::string_view name, std::string_view scope) {
    return scope.empty() ? std::string(name) : std::string(name) + "@" + std::string(scope);
}

bool scope_covers(std::string_view variant, std::string_view input) {
    return input.size() >= variant.size() && input.substr(0, variant.size()) == variant &&
           (input.size() == variant.size() || input[variant.size()] == '/');
}

PolicyPaths policy_paths(const PolicyOptions& options, const std::string& key) {
    const std::string name = key.substr(0, key.find('@'));
    PolicyPaths paths{options.dir / (name + ".lua"), options.dir / (name + "_test.lua"),
                      options.dir / (name + ".schema.json")};
    auto override_file = options.overrides.find(name);
    if (override_file != options.overrides.end()) {
        paths.source = override_file->second;
        fs::path beside = override_file->second.parent_path() /
                          (override_file->second.stem().string() + "_test.lua");
        std::error_code error;
        if (fs::exists(beside, error)) paths.test = beside;
    }
    return paths;
}

std::vector<std::string> discover_policy_names(const PolicyOptions& options) {
    std::set<std::string> names;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(options.dir, error)) {
        const fs::path& path = entry.path();
        if (path.extension() != ".lua") continue;
        const std::string stem = path.stem().string();
        if (is_valid_policy_name(stem)) names.insert(stem);
    }
    for (const auto& [name, path] : options.overrides) names.insert(name);
    return {names.begin(), names.end()};
}

std::vector<fs::path> watched_directories(const PolicyOptions& options) {
    std::set<fs::path> directories{normalized(options.dir)};
    for (const auto& [name, path] : options.overrides) {
        directories.insert(normalized(path).parent_path());
    }
    return {directories.begin(), directories.end()};
}

std::optional<std::string> policy_name_for_file(const PolicyOptions& options,
                                                const fs::path& file) {
    const fs::path changed = normalized(file);
    for (const auto& [name, path] : options.overrides) {
        const PolicyPaths paths = policy_paths(options, name);
        if (changed == normalized(paths.source) || changed == normalized(paths.test)) return name;
    }
    if (changed.parent_path() != normalized(options.dir) || changed.extension() != ".lua") {
        return std::nullopt;
    }
    std::string stem = changed.stem().string();
    if (ends_with(stem, kTestSuffix)) stem.resize(stem.size() - kTestSuffix.size());
    if (!is_valid_policy_name(stem) || options.overrides.count(stem) != 0) return std::nullopt;
    return stem;
}

std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return content.str();
}

Status write_file_atomically(const fs::path& path, std::string_view content) {
    std::string temporary_name(".");  // built by append: GCC 12 -O3 misreports "." + string
    temporary_name.append(path.filename().string()).append(".").append(std::to_string(::getpid()));
    temporary_name.append(".tmp");
    const fs::path temporary = path.parent_path() / temporary_name;
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            std::error_code ignored;
            fs::remove(temporary, ignored);
            return Error{ErrorCode::POLICY_IO, "cannot write " + temporary.string()};
        }
    }
    std::error_code error;
    fs::rename(temporary, path, error);
    if (error) {
        fs::remove(temporary, error);
        return Error{ErrorCode::POLICY_IO,
                     "cannot replace " + path.string() + ": " + error.message()};
    }
    return {};
}

}  // namespace admit::policy

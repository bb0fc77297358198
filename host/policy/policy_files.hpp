// Where policies live on disk: name <-> file mapping, discovery, reading and atomic writes.
#pragma once

#include "host/common/result.hpp"
#include "host/policy/policy_types.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admit::policy {

struct PolicyPaths {
    std::filesystem::path source;  // override file, or <dir>/<name>.lua
    std::filesystem::path
        test;  // <override stem>_test.lua if it exists, else <dir>/<name>_test.lua
    std::filesystem::path schema;  // <dir>/<name>.schema.json: the declared output schema
};

// Names are 1-64 characters of a-z, 0-9 and _, and do not end in "_test".
bool is_valid_policy_name(std::string_view name);

// A scoped variant of a policy is the key "<name>@<scope>": scope is a path of segments
// [A-Za-z0-9_.-]+ joined by '/' (at most 200 characters), e.g. "fees@product/p1". A decision
// whose input carries "scope": "product/p1/schedule/s3" is made by the variant with the longest
// scope that equals the input's scope or is a '/'-prefix of it, else by the venue-wide policy.
struct PolicyKey {
    std::string name;   // the policy ("fees")
    std::string scope;  // "" for the venue-wide revision
};
// Splits and validates a key; nullopt when the name or the scope is invalid.
std::optional<PolicyKey> parse_policy_key(std::string_view key);
std::string policy_key(std::string_view name, std::string_view scope);
// Whether scope `variant` decides for an input of scope `input` (equal, or a '/'-prefix).
bool scope_covers(std::string_view variant, std::string_view input);

// Paths of a policy (a scoped key maps to its policy's files: tests and schema are shared).
PolicyPaths policy_paths(const PolicyOptions& options, const std::string& name);

// Policy names found in options.dir (every <name>.lua that is not a test) plus every override,
// sorted.
std::vector<std::string> discover_policy_names(const PolicyOptions& options);

// The directories to watch: options.dir and the folders of override files.
std::vector<std::filesystem::path> watched_directories(const PolicyOptions& options);

// The policy a changed file belongs to (its source or its tests), if any.
std::optional<std::string> policy_name_for_file(const PolicyOptions& options,
                                                const std::filesystem::path& file);

std::optional<std::string> read_file(const std::filesystem::path& path);

// Writes content to a temporary file next to path and renames it over path.
Status write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace admit::policy

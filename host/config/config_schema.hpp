// The schema of admitd configuration: which keys exist, their types, ranges and formats, and how
// they map onto HostConfig. Pure validation: touches no files except the tz database check.
#pragma once

#include "host/config/host_config.hpp"
#include "host/config/table_reader.hpp"

#include <toml++/toml.h>

#include <filesystem>

namespace admit::config {

// Reads the merged document `root` into `config` (which starts from defaults), reporting every
// unknown key, wrong type, out-of-range or malformed value and missing required key to `sink`.
// Relative paths are resolved against the file that set them; `venue_file` is the base for
// defaults that no file set. Never throws for bad input.
void read_document(const toml::table& root, const std::filesystem::path& venue_file,
                   HostConfig& config, IssueSink& sink);

// Schema of [plugins] and [plugin.<name>] (plugin_schema.cpp).
void read_plugins(TableReader& root, HostConfig& config);

// Schema of [server.cors], read from the [server] table (cors_schema.cpp).
void read_cors(TableReader& server, CorsConfig& cors);
// Why `origin` is not an origin as a browser sends it in Origin ("scheme://host[:port]": http or
// https, lower-case host, no path, no trailing slash, never "*" or "null"); nullopt when it is.
std::optional<std::string> origin_problem(const std::string& origin);
// Schema of [server.session_cookies], read from the [server] table (session_cookie_schema.cpp).
void read_session_cookies(TableReader& server, SessionCookieConfig& cookies);

// Schema of [access] (access_schema.cpp).
void read_access(TableReader& root, AccessConfig& access);

// `value` as written in the file that holds `node`, made absolute against that file's directory
// (or against `fallback_base_file`'s when the node has no source path), normalised.
std::filesystem::path resolve_against_source(const toml::node& node, const std::string& value,
                                             const std::filesystem::path& fallback_base_file);

// Format checks shared with environment overrides.
bool is_plugin_name(std::string_view name);      // [a-z][a-z0-9_]*
bool is_database_url(std::string_view url);      // postgresql:// or postgres:// URI
bool is_ip_address(const std::string& address);  // IPv4 or IPv6 literal
bool is_cidr(const std::string& text);           // an address, or address/prefix-length

}  // namespace admit::config

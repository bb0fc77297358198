// Schema of [server.cors]: exact allowed origins (never "*": the API takes credentials), the
// request headers a browser may send and the response headers its scripts may read. Declared in
// config_schema.hpp.
#include <algorithm>

#include "host/config/config_schema.hpp"

namespace admit::config {
namespace {

bool is_token_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::optional<std::string> header_name_problem(const std::string& name) {
    if (!name.empty() && std::all_of(name.begin(), name.end(), is_token_char)) return std::nullopt;
    return "is not a header name";
}

}  // namespace

std::optional<std::string> origin_problem(const std::string& origin) {
    if (origin == "*" || origin == "null")
        return "is not allowed: name each origin exactly (credentials are allowed)";
    std::string_view rest = origin;
    if (rest.starts_with("https://"))
        rest.remove_prefix(8);
    else if (rest.starts_with("http://"))
        rest.remove_prefix(7);
    else
        return "is not an origin (expected http://host[:port] or https://host[:port])";
    bool valid = !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
               c == ':' || c == '[' || c == ']';
    });
    if (!valid) return "is not an origin (lower-case host, optional port, no path)";
    return std::nullopt;
}

void read_cors(TableReader& server, CorsConfig& cors) {
    TableReader table = server.child("cors");
    table.read_strings("allowed_origins", cors.allowed_origins, origin_problem);
    table.read_strings("allowed_headers", cors.allowed_headers, header_name_problem);
    table.read_strings("exposed_headers", cors.exposed_headers, header_name_problem);
    table.read_integer("max_age_seconds", cors.max_age_seconds, 0, 86400);
    table.finish();
}

}  // namespace admit::config

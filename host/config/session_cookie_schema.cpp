// Schema of [server.session_cookies]: the access-token cookie the dispatcher reads, the other
// session cookies whose presence makes a mutation subject to the Origin check, and origins
// trusted besides the request's own. Declared in config_schema.hpp.
#include <algorithm>

#include "host/config/config_schema.hpp"

namespace admit::config {
namespace {

// A cookie name is an HTTP token (RFC 6265 4.1.1).
std::optional<std::string> cookie_name_problem(const std::string& name) {
    const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
    if (valid) return std::nullopt;
    return "is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)";
}

}  // namespace

void read_session_cookies(TableReader& server, SessionCookieConfig& cookies) {
    TableReader table = server.child("session_cookies");
    std::string access;
    if (table.read("access_token", access)) {
        if (auto problem = cookie_name_problem(access); problem && !access.empty()) {
            table.report(*table.table()->get("access_token"), table.key_path("access_token"),
                         "\"" + access + "\" " + *problem);
        } else {
            cookies.access_token = std::move(access);
        }
    }
    table.read_strings("guarded", cookies.guarded, cookie_name_problem);
    table.read_strings("trusted_origins", cookies.trusted_origins, origin_problem);
    table.finish();
}

}  // namespace admit::config

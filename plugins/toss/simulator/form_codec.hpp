// application/x-www-form-urlencoded decoding (query strings and form bodies) and HTML escaping.
// Pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace admit::paysim {

// Decodes "a=1&b=x%20y+z". A repeated name, a bad %-escape or invalid UTF-8 gives nullopt.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view encoded);
// %XX decoding; '+' becomes a space only when plus_as_space. nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space);
std::string html_escape(std::string_view text);
std::string percent_encode(std::string_view text);

}  // namespace admit::paysim

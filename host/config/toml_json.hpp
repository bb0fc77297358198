// Conversion of TOML documents to JSON, for plugin sections handed across the ABI as JSON text.
#pragma once

#include <toml++/toml.h>

#include <string>

namespace admit::config {

// Compact JSON text of a TOML table. Dates and times become RFC 3339 strings; non-finite floats
// become null (JSON has no representation for them).
std::string to_json(const toml::table& table);

}  // namespace admit::config

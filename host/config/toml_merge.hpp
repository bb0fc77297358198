// Merging of a venue document over the host defaults document.
#pragma once

#include <toml++/toml.h>

namespace admit::config {

// Merges `overlay` into `base`: tables merge key by key (recursively); any other value in
// `overlay` (scalar or array) replaces the one in `base`. Nodes are moved, not copied, so they
// keep their source regions (file, line, column); `overlay` is left in a valid but unspecified
// state.
void merge_into(toml::table& base, toml::table&& overlay);

}  // namespace admit::config

// The offline policy checker: the same validation and tests as a live publish, for staff and CI.
#pragma once

#include <filesystem>
#include <ostream>

namespace admit::policy {

// Validates and tests every policy in dir with the default PolicyOptions limits and prints one
// line per policy (and a summary) to out. Returns a process exit code: 0 when every policy
// passed, 1 when one failed, 2 when dir holds no policy or cannot be read.
int run_offline_check(const std::filesystem::path& dir, std::ostream& out);

}  // namespace admit::policy

// `admitd --config VENUE.toml policy shadow NAME FILE [--since 1d] [--limit N]`: a shadow run from
// the console against the venue's database (the live revisions and the decision log stored there).
#pragma once

#include "host/policy/policy_types.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

namespace admit::policy {

struct ShadowCommand {
    std::string pg_url;
    PolicyOptions policies;  // the venue's policy folder (schemas) and limits
    std::string name;
    std::string candidate_file;
    std::optional<std::chrono::seconds> since;
    std::size_t limit = 10000;
};

// Prints the shadow report as JSON to out; errors as one line. Exit status: 0 done, 1 failed
// (unreadable file, database unreachable, candidate refused).
int run_shadow_command(const ShadowCommand& command, std::ostream& out);

}  // namespace admit::policy

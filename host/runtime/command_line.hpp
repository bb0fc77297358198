// CommandLine: what admitd was asked to do, parsed from argv. Never throws; a usage error comes
// back as Error{ErrorCode::USAGE, ...} with a message that says what was wrong.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/common/result.hpp"

namespace admit::runtime {

struct CommandLine {
    enum class Action { run, check_config, policy_test, policy_shadow, call, help, version };
    Action action = Action::run;
    std::string config_file;                   // --config / --check-config
    std::optional<std::string> defaults_file;  // --defaults
    std::string policy_dir;                    // policy test [DIR]
    std::string shadow_policy;                 // policy shadow NAME FILE [--since W] [--limit N]
    std::string shadow_file;
    std::optional<std::string> shadow_since;  // "1d", "12h", ...
    std::size_t shadow_limit = 10000;
    std::string call_method;  // call METHOD JSON | admin create ...
    std::string call_input;   // JSON
};

Result<CommandLine> parse_command_line(const std::vector<std::string>& args);

// The --help text.
const char* usage_text();

}  // namespace admit::runtime

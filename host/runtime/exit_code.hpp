// admitd's exit statuses: distinct, so that scripts and tests can tell a bad configuration from a
// failed start without reading the log.
#pragma once

namespace admit::runtime {

enum ExitCode : int {
    exit_ok = 0,
    exit_failed = 1,  // the platform did not start, or a one-shot command (call, admin) failed
    exit_config = 2,  // the configuration (or a plugin file it names) is invalid
    exit_usage = 64,  // the command line is malformed (EX_USAGE)
};

}  // namespace admit::runtime

// admitd: the Admit host runtime. See command_line.cpp for the commands.
#include <csignal>
#include <cstdio>
#include <iostream>

#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include "host/config/config_loader.hpp"
#include "host/config/describe.hpp"
#include "host/plugins/load_order.hpp"
#include "host/plugins/plugin_library.hpp"
#include "host/plugins/required_providers.hpp"
#include "host/policy/offline_check.hpp"
#include "host/policy/shadow_command.hpp"
#include "host/policy/shadow_run.hpp"
#include "host/runtime/application.hpp"
#include "host/runtime/command_line.hpp"
#include "host/runtime/exit_code.hpp"

namespace {

using admit::runtime::CommandLine;
using namespace admit::runtime;  // exit codes

// Opens every configured plugin library and checks versions and dependencies, without running
// any plugin code beyond the entry symbol.
int check_plugins(const admit::config::HostConfig& config) {
    std::vector<admit::plugins::PluginNode> nodes;
    int failures = 0;
    if (auto s = admit::plugins::check_required_providers(config.plugins.load,
                                                          config.plugins.required_providers);
        !s) {
        std::cerr << s.error().message << "\n";
        ++failures;
    }
    for (const auto& name : config.plugins.load) {
        auto lib = admit::plugins::open_plugin_library(config.plugins.library_path(name));
        if (!lib) {
            std::cerr << lib.error().message << "\n";
            ++failures;
            continue;
        }
        nodes.push_back({lib->name(), lib->path.string(), lib->dependencies()});
    }
    if (failures == 0) {
        auto order = admit::plugins::resolve_start_order(nodes);
        if (!order) {
            std::cerr << order.error().message << "\n";
            ++failures;
        }
    }
    return failures;
}

std::optional<admit::config::HostConfig> load_config(const CommandLine& cl) {
    admit::config::LoadOptions options;
    options.venue_file = cl.config_file;
    if (cl.defaults_file) options.defaults_file = *cl.defaults_file;
    auto outcome = admit::config::load(options);
    if (!outcome.ok()) {
        std::cerr << outcome.error().message << "\n";
        return std::nullopt;
    }
    return std::move(*outcome.config);
}

// Blocks the signals admitd handles in this thread and every thread created after it, so that
// only the main thread's sigwait sees them.
sigset_t block_handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

int run(const CommandLine& cl) {
    sigset_t signals = block_handled_signals();
    auto config = load_config(cl);
    if (!config) return exit_config;
    admit::runtime::Application app(std::move(*config));
    if (auto started = app.start(); !started) {
        spdlog::critical("admitd did not start: {}", started.error().message);
        return exit_failed;
    }
    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) continue;
        if (sig == SIGHUP) {
            spdlog::info("SIGHUP: reloading policies");
            app.reload_policies();
            continue;
        }
        spdlog::info("signal {}: shutting down", sig);
        app.stop();
        return 0;
    }
}

int call(const CommandLine& cl) {
    sigset_t signals = block_handled_signals();
    (void)signals;
    auto config = load_config(cl);
    if (!config) return exit_config;
    admit::runtime::Application app(std::move(*config));
    auto result = app.call_once(cl.call_method, cl.call_input);
    if (!result) {
        std::cerr << result.error().message << "\n";
        return exit_failed;
    }
    std::cout << result.value() << "\n";
    return 0;
}

int policy_shadow(const CommandLine& cl) {
    auto config = load_config(cl);
    if (!config) return exit_config;
    if (!config->database.enabled) {
        std::cerr << "policy shadow needs the venue's [database]\n";
        return exit_config;
    }
    admit::policy::ShadowCommand command;
    command.pg_url = config->database.url;
    command.policies.dir = config->policies.dir;
    command.policies.overrides = config->policies.overrides;
    command.policies.instruction_budget = config->policies.instruction_budget;
    command.policies.memory_limit_bytes = config->policies.memory_limit_bytes;
    command.name = cl.shadow_policy;
    command.candidate_file = cl.shadow_file;
    command.limit = cl.shadow_limit;
    if (cl.shadow_since) {
        command.since = admit::policy::parse_window(*cl.shadow_since);
        if (!command.since) {
            std::cerr << "admitd: --since must look like 1d, 12h, 30m or 45s\n";
            return exit_usage;
        }
    }
    return admit::policy::run_shadow_command(command, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
    // A peer that closes its socket must cost an error code, not the process.
    std::signal(SIGPIPE, SIG_IGN);
    // Response bodies of tens of kilobytes (seat maps) are allocated and freed on every request.
    // Keep freed memory in the process (no trim, no mmap below 4 MiB) instead of returning it to
    // the kernel and page-faulting it back in on the next request.
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    auto parsed = admit::runtime::parse_command_line({argv + 1, argv + argc});
    if (!parsed) {
        std::cerr << "admitd: " << parsed.error().message << "\n" << admit::runtime::usage_text();
        return exit_usage;
    }
    const auto& cl = parsed.value();
    switch (cl.action) {
        case CommandLine::Action::help:
            std::cout << admit::runtime::usage_text();
            return 0;
        case CommandLine::Action::version:
            std::cout << "admitd " << ADMIT_VERSION << " (plugin ABI " << ADMIT_ABI_MAJOR << "."
                      << ADMIT_ABI_MINOR << ")\n";
            return 0;
        case CommandLine::Action::policy_test:
            return admit::policy::run_offline_check(cl.policy_dir, std::cout);
        case CommandLine::Action::policy_shadow:
            return policy_shadow(cl);
        case CommandLine::Action::check_config: {
            auto config = load_config(cl);
            if (!config) return exit_config;
            if (check_plugins(*config) != 0) return exit_config;
            std::cout << admit::config::describe(*config) << "\nconfiguration OK\n";
            return 0;
        }
        case CommandLine::Action::call:
            return call(cl);
        case CommandLine::Action::run:
            return run(cl);
    }
    return 0;
}

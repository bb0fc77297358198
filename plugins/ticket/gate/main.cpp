// admit-gate: an offline ticket gate on the command line.
//
//   admit-gate verify <code>|- --kit kit.json [--now <unix>] [--record scans.jsonl] [--gate NAME]
//   admit-gate sync --kit kit.json --scans scans.jsonl --server URL --token-env VAR
//
// `-` reads the code from the first line of standard input. Exit codes: gate_commands.hpp.
#include "codes/init.hpp"
#include "gate_commands.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace admit::ticket::gate;

constexpr std::string_view kUsage =
    "usage: admit-gate verify <code>|- --kit kit.json [--now <unix seconds>] [--record "
    "scans.jsonl] "
    "[--gate NAME]\n"
    "       admit-gate sync --kit kit.json --scans scans.jsonl --server URL --token-env VAR\n"
    "exit: 0 admitted (verify) or synced (sync), 1 refused, 2 usage or input error, 3 sync "
    "failed\n";

/// --name value pairs and positional arguments; false when a flag is unknown, repeated or has no
/// value.
struct Arguments {
    std::map<std::string, std::string, std::less<>> flags;
    std::vector<std::string> positional;
};

bool parse_arguments(int argc, char** argv, std::initializer_list<std::string_view> known,
                     Arguments& parsed) {
    for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (!arg.starts_with("--")) {
            parsed.positional.emplace_back(arg);
            continue;
        }
        const std::string_view name = arg.substr(2);
        if (std::find(known.begin(), known.end(), name) == known.end() || i + 1 >= argc ||
            !parsed.flags.emplace(std::string(name), argv[i + 1]).second) {
            return false;
        }
        ++i;
    }
    return true;
}

int usage(std::string_view problem) {
    std::cerr << "admit-gate: " << problem << "\n" << kUsage;
    return kExitUsage;
}

std::string flag(const Arguments& arguments, std::string_view name) {
    const auto found = arguments.flags.find(name);
    return found == arguments.flags.end() ? std::string() : found->second;
}

int verify_command(int argc, char** argv) {
    Arguments arguments;
    if (!parse_arguments(argc, argv, {"kit", "now", "record", "gate"}, arguments)) {
        return usage("unknown, repeated or incomplete option");
    }
    if (arguments.positional.size() != 1) return usage("verify takes exactly one code");
    VerifyOptions options{arguments.positional.front(), flag(arguments, "kit"), std::nullopt,
                          flag(arguments, "record"), flag(arguments, "gate")};
    if (options.kit_path.empty()) return usage("--kit is required");
    if (options.code == "-" && !std::getline(std::cin, options.code))
        return usage("no code on standard input");
    if (const std::string now = flag(arguments, "now"); !now.empty()) {
        int64_t value = 0;
        const auto [end, error] = std::from_chars(now.data(), now.data() + now.size(), value);
        if (error != std::errc() || end != now.data() + now.size() || value < 0) {
            return usage("--now must be unix seconds");
        }
        options.now = value;
    }
    return run_verify(options, std::cout, std::cerr);
}

int sync_command(int argc, char** argv) {
    Arguments arguments;
    if (!parse_arguments(argc, argv, {"kit", "scans", "server", "token-env"}, arguments) ||
        !arguments.positional.empty()) {
        return usage("unknown, repeated or incomplete option");
    }
    SyncOptions options{flag(arguments, "kit"), flag(arguments, "scans"), flag(arguments, "server"),
                        flag(arguments, "token-env")};
    if (options.kit_path.empty() || options.scans_path.empty() || options.server.empty() ||
        options.token_env.empty()) {
        return usage("sync needs --kit, --scans, --server and --token-env");
    }
    return run_sync(options, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
    if (auto initialised = admit::ticket::init_ticket_codes(); !initialised) {
        std::cerr << "admit-gate: " << initialised.message() << "\n";
        return kExitUsage;
    }
    const std::string_view command = argc > 1 ? argv[1] : "";
    try {
        if (command == "verify") return verify_command(argc, argv);
        if (command == "sync") return sync_command(argc, argv);
    } catch (const std::exception& error) {  // only allocation failures and the like end up here
        std::cerr << "admit-gate: " << error.what() << "\n";
        return kExitUsage;
    }
    return usage(command.empty() ? "no command" : "unknown command");
}

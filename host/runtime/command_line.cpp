#include "host/runtime/command_line.hpp"

#include <cstdlib>

#include <boost/json.hpp>

namespace admit::runtime {

const char* usage_text() {
    return R"(usage:
  admitd --config VENUE.toml [--defaults ADMITD.toml]        run the platform
  admitd --check-config VENUE.toml [--defaults ADMITD.toml]  validate config and plugins, then exit
  admitd policy test [DIR]                                  validate and test policies offline
  admitd --config VENUE.toml policy shadow NAME FILE [--since 1d] [--limit N]
                                                            replay FILE on recorded decisions
  admitd --config VENUE.toml call METHOD JSON               call a plugin service method once
  admitd --config VENUE.toml admin create --email EMAIL --password-env VAR [--name NAME]
                                                            create an admin account (auth plugin)
  admitd --help | --version
)";
}

Result<CommandLine> parse_command_line(const std::vector<std::string>& args) {
    CommandLine cl;
    auto usage = [](std::string message) { return Error{ErrorCode::USAGE, std::move(message)}; };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& a = args[i];
        auto value = [&](std::string& out) -> bool {
            if (i + 1 >= args.size()) return false;
            out = args[++i];
            return true;
        };
        if (a == "--help" || a == "-h") {
            cl.action = CommandLine::Action::help;
        } else if (a == "--version") {
            cl.action = CommandLine::Action::version;
        } else if (a == "--config") {
            if (!value(cl.config_file)) return usage("--config needs a file");
        } else if (a == "--check-config") {
            if (!value(cl.config_file)) return usage("--check-config needs a file");
            cl.action = CommandLine::Action::check_config;
        } else if (a == "--defaults") {
            std::string d;
            if (!value(d)) return usage("--defaults needs a file");
            cl.defaults_file = d;
        } else if (a == "policy" && i + 1 < args.size() && args[i + 1] == "shadow") {
            ++i;
            if (i + 2 >= args.size()) return usage("policy shadow needs NAME and FILE");
            cl.action = CommandLine::Action::policy_shadow;
            cl.shadow_policy = args[++i];
            cl.shadow_file = args[++i];
            while (i + 1 < args.size() && args[i + 1].starts_with("--") &&
                   args[i + 1] != "--config" && args[i + 1] != "--defaults") {
                const std::string opt = args[++i];
                std::string text;
                if (!value(text)) return usage(opt + " needs a value");
                if (opt == "--since") {
                    cl.shadow_since = text;
                } else if (opt == "--limit") {
                    char* end = nullptr;
                    const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
                    if (end == text.c_str() || *end != '\0' || n < 1 || n > 100000)
                        return usage("--limit must be an integer from 1 to 100000");
                    cl.shadow_limit = static_cast<std::size_t>(n);
                } else {
                    return usage("unknown policy shadow option " + opt);
                }
            }
        } else if (a == "policy") {
            if (i + 1 >= args.size() || args[i + 1] != "test")
                return usage("did you mean 'policy test [DIR]' or 'policy shadow NAME FILE'?");
            ++i;
            cl.action = CommandLine::Action::policy_test;
            cl.policy_dir = (i + 1 < args.size()) ? args[++i] : "policies";
        } else if (a == "call") {
            if (i + 2 >= args.size()) return usage("call needs METHOD and JSON");
            cl.action = CommandLine::Action::call;
            cl.call_method = args[++i];
            cl.call_input = args[++i];
        } else if (a == "admin") {
            if (i + 1 >= args.size() || args[i + 1] != "create")
                return usage("did you mean 'admin create'?");
            ++i;
            std::string email, password_env, name = "Administrator";
            while (i + 1 < args.size()) {
                const auto& opt = args[++i];
                bool ok = true;
                if (opt == "--email")
                    ok = value(email);
                else if (opt == "--password-env")
                    ok = value(password_env);
                else if (opt == "--name")
                    ok = value(name);
                else
                    return usage("unknown admin create option " + opt);
                if (!ok) return usage(opt + " needs a value");
            }
            if (email.empty() || password_env.empty()) {
                return usage(
                    "admin create needs --email and --password-env VAR (the password is "
                    "read from that environment variable, never from the command line)");
            }
            const char* password = std::getenv(password_env.c_str());
            if (password == nullptr || *password == '\0') {
                return usage("environment variable " + password_env + " is not set");
            }
            boost::json::object input{{"email", email}, {"password", password}, {"name", name}};
            cl.action = CommandLine::Action::call;
            cl.call_method = "auth.create_admin";
            cl.call_input = boost::json::serialize(input);
        } else {
            return usage("unknown argument '" + a + "'");
        }
    }
    bool needs_config =
        cl.action == CommandLine::Action::run || cl.action == CommandLine::Action::check_config ||
        cl.action == CommandLine::Action::call || cl.action == CommandLine::Action::policy_shadow;
    if (needs_config && cl.config_file.empty()) return usage("--config VENUE.toml is required");
    return cl;
}

}  // namespace admit::runtime

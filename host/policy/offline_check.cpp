#include "host/policy/offline_check.hpp"

#include "host/policy/policy_files.hpp"
#include "host/policy/policy_validator.hpp"

namespace admit::policy {

int run_offline_check(const std::filesystem::path& dir, std::ostream& out) {
    std::error_code error;
    if (!std::filesystem::is_directory(dir, error)) {
        out << "error: " << dir.string() << " is not a readable directory\n";
        return 2;
    }
    PolicyOptions options;
    options.dir = dir;
    options.clock = system_clock();
    const auto names = discover_policy_names(options);
    if (names.empty()) {
        out << "error: no policies (*.lua) in " << dir.string() << "\n";
        return 2;
    }
    int failed = 0;
    for (const std::string& name : names) {
        const PolicyPaths paths = policy_paths(options, name);
        auto source = read_file(paths.source);
        if (!source) {
            out << "FAIL " << name << ": cannot read " << paths.source.string() << "\n";
            ++failed;
            continue;
        }
        auto tests = read_file(paths.test);
        auto schema = OutputSchema::load(paths.schema);
        if (!schema) {
            out << "FAIL " << name << ": " << schema.error().message << "\n";
            ++failed;
            continue;
        }
        PolicySources sources{name,
                              *source,
                              paths.source.filename().string(),
                              tests ? *tests : std::string(),
                              paths.test.filename().string(),
                              schema.value()};
        const ValidationOutcome outcome =
            validate_policy(sources, options.call_limits(), options.test_limits(), options.clock);
        if (!outcome.ok) {
            ++failed;
            out << "FAIL " << name << " (revision " << outcome.revision
                << "): " << outcome.problem.describe() << "\n";
            continue;
        }
        out << "ok   " << name << " (revision " << outcome.revision << ", " << outcome.tests_passed
            << " tests passed)";
        if (!tests) out << " warning: no " << paths.test.filename().string();
        out << "\n";
    }
    out << names.size() - static_cast<std::size_t>(failed) << " of " << names.size()
        << " policies passed\n";
    return failed == 0 ? 0 : 1;
}

}  // namespace admit::policy

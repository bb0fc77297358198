#include "config_test_support.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace admit::config::testing {

TempDir::TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "admit-config-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
}

LoadOptions options_for(const std::filesystem::path& venue_file,
                        std::map<std::string, std::string> environment) {
    LoadOptions options;
    options.venue_file = venue_file;
    options.check_files = false;
    options.environment = [environment = std::move(environment)](
                              const std::string& name) -> std::optional<std::string> {
        auto found = environment.find(name);
        if (found == environment.end()) return std::nullopt;
        return found->second;
    };
    return options;
}

std::string issues_text(const LoadOutcome& outcome) { return to_string(outcome.issues); }

}  // namespace admit::config::testing

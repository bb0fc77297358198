#include "host/config/config_loader.hpp"

#include "host/config/config_schema.hpp"
#include "host/config/file_checks.hpp"
#include "host/config/table_reader.hpp"
#include "host/config/toml_merge.hpp"

#include <toml++/toml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace admit::config {
namespace {

namespace fs = std::filesystem;

// The text of `file`, or nullopt after reporting why it cannot be read.
std::optional<std::string> read_text(const fs::path& file, ConfigIssues& issues) {
    std::error_code error;
    if (!fs::exists(file, error)) {
        issues.push_back(ConfigIssue{file.string(), "", 0, 0, "file not found"});
        return std::nullopt;
    }
    if (fs::is_directory(file, error)) {
        issues.push_back(ConfigIssue{file.string(), "", 0, 0, "is a directory, not a TOML file"});
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) {
        issues.push_back(ConfigIssue{file.string(), "", 0, 0,
                                     std::string("cannot read: ") + std::strerror(errno)});
        return std::nullopt;
    }
    return text.str();
}

// The parsed document, or nullopt after reporting the syntax error with its position.
std::optional<toml::table> parse_file(const fs::path& file, ConfigIssues& issues) {
    std::optional<std::string> text = read_text(file, issues);
    if (!text) return std::nullopt;
    try {
        return toml::parse(*text, file.string());
    } catch (const toml::parse_error& error) {
        const auto& where = error.source();
        issues.push_back(ConfigIssue{file.string(), "", where.begin.line, where.begin.column,
                                     "TOML syntax error: " + std::string(error.description())});
    }
    return std::nullopt;
}

// Chooses the defaults file (see config_loader.hpp); reports a bad `defaults` key. `venue` is
// null when the venue file could not be parsed: the defaults are still checked if they can be
// found.
std::optional<fs::path> find_defaults(const LoadOptions& options, const toml::table* venue,
                                      IssueSink& sink) {
    if (options.defaults_file) return options.defaults_file;
    const fs::path venue_dir = options.venue_file.parent_path();
    if (const toml::node* named = venue ? venue->get("defaults") : nullptr) {
        const auto* text = named->as_string();
        if (text == nullptr) {
            sink.report(named->source(), "defaults",
                        "expected string (path of the host defaults file), found " +
                            std::string(type_name(named->type())));
            return std::nullopt;
        }
        return (venue_dir / text->get()).lexically_normal();
    }
    const fs::path conventional = (venue_dir / ".." / "admitd.toml").lexically_normal();
    std::error_code error;
    if (fs::is_regular_file(conventional, error)) return conventional;
    return std::nullopt;
}

LoadOutcome load_checked(const LoadOptions& options) {
    LoadOutcome outcome;
    IssueSink sink{outcome.issues, options.venue_file.string()};

    std::optional<toml::table> venue = parse_file(options.venue_file, outcome.issues);
    toml::table merged;
    std::optional<fs::path> defaults_file;
    defaults_file = find_defaults(options, venue ? &*venue : nullptr, sink);
    if (venue) venue->erase("defaults");
    if (defaults_file) {
        std::optional<toml::table> defaults = parse_file(*defaults_file, outcome.issues);
        if (defaults) {
            if (const toml::node* nested = defaults->get("defaults")) {
                sink.report(nested->source(), "defaults",
                            "only a venue file may name a defaults file");
                defaults->erase("defaults");
            }
            merged = std::move(*defaults);
        }
    }
    if (!outcome.issues.empty())
        return outcome;  // unreadable or malformed input: nothing to validate

    merge_into(merged, std::move(*venue));
    HostConfig config;
    config.venue_file = fs::absolute(options.venue_file).lexically_normal();
    if (defaults_file) config.defaults_file = fs::absolute(*defaults_file).lexically_normal();
    read_document(merged, config.venue_file, config, sink);
    apply_environment(options.environment, config, outcome.issues);
    if (options.check_files) check_referenced_files(merged, config, sink);

    if (outcome.issues.empty()) outcome.config = std::move(config);
    return outcome;
}

}  // namespace

admit::Error LoadOutcome::error() const {
    return admit::Error{ErrorCode::CONFIG_INVALID, to_string(issues)};
}

LoadOutcome load(const LoadOptions& options) noexcept {
    try {
        return load_checked(options);
    } catch (const std::exception& error) {
        LoadOutcome outcome;
        outcome.issues.push_back(ConfigIssue{options.venue_file.string(), "", 0, 0,
                                             std::string("internal error: ") + error.what()});
        return outcome;
    }
}

}  // namespace admit::config

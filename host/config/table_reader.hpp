// TableReader: reads one TOML table against a fixed set of keys, reporting problems as issues.
// Each read marks its key as known; finish() reports every key nobody asked for, with a
// "did you mean" hint. A reader over an absent table reads nothing and leaves defaults untouched.
// Not thread-safe; lives for one load.
#pragma once

#include "host/config/config_issue.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::config {

// Where issues go, and the file to name when a problem has no source position (a missing key).
struct IssueSink {
    ConfigIssues& issues;
    std::string fallback_file;

    void report(const toml::source_region& where, std::string key, std::string message);
    void report_at_file(std::string key, std::string message);
};

// "integer", "string", "table", ... for messages.
std::string_view type_name(toml::node_type type);

// The file a node came from (its source path), or an empty string when it has none.
std::string source_file(const toml::node& node);

class TableReader {
  public:
    // `table` may be null (section absent). `path` is the dotted path of the table ("" for root).
    TableReader(const toml::table* table, std::string path, IssueSink& sink);

    bool present() const { return table_ != nullptr; }
    const toml::table* table() const { return table_; }
    std::string key_path(std::string_view key) const;

    // Marks `key` as known and returns its node, or null when absent.
    const toml::node* take(std::string_view key);

    // Each read leaves `out` unchanged and returns false when the key is absent or invalid (and
    // reports the invalid case). Integers outside [min, max] are reported as out of range.
    bool read(std::string_view key, std::string& out);
    bool read(std::string_view key, bool& out);
    bool read_integer(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max);
    template <typename Int>
    bool read_integer(std::string_view key, Int& out, std::int64_t min, std::int64_t max) {
        std::int64_t value = 0;
        if (!read_integer(key, value, min, max)) return false;
        out = static_cast<Int>(value);
        return true;
    }
    // A string that must be one of `choices`.
    template <typename Enum>
    bool read_choice(std::string_view key, Enum& out,
                     std::initializer_list<std::pair<std::string_view, Enum>> choices) {
        std::string text;
        if (!read(key, text)) return false;
        std::string allowed;
        for (const auto& [name, value] : choices) {
            if (name == text) {
                out = value;
                return true;
            }
            allowed += (allowed.empty() ? "\"" : ", \"") + std::string(name) + '"';
        }
        report(*table_->get(key), key_path(key), "\"" + text + "\" is not one of " + allowed);
        return false;
    }

    // An array of unique strings, replacing `out` when the key is present. `problem` names what is
    // wrong with one element ("... is not a name"), or nullopt when it is fine; bad elements,
    // non-strings and repeats are reported and left out.
    using StringProblem = std::function<std::optional<std::string>(const std::string&)>;
    bool read_strings(std::string_view key, std::vector<std::string>& out,
                      const StringProblem& problem);

    // A sub-table; reports a wrong type. The returned reader is empty when absent or invalid.
    TableReader child(std::string_view key);

    void report(const toml::node& node, std::string key, std::string message);
    void report_missing(std::string_view key, std::string message);

    // Reports every key of the table that was not taken. `extra_known` names keys that are
    // allowed but read elsewhere.
    void finish(std::initializer_list<std::string_view> extra_known = {});

    IssueSink& sink() { return sink_; }

  private:
    const toml::node* expect(std::string_view key, toml::node_type type);

    const toml::table* table_;
    std::string path_;
    IssueSink& sink_;
    std::vector<std::string> known_;
};

}  // namespace admit::config

#include "host/config/table_reader.hpp"

#include "host/config/spelling.hpp"

#include <algorithm>

namespace admit::config {

void IssueSink::report(const toml::source_region& where, std::string key, std::string message) {
    ConfigIssue issue;
    issue.file = where.path ? *where.path : fallback_file;
    issue.key = std::move(key);
    issue.line = where.begin.line;
    issue.column = where.begin.column;
    issue.message = std::move(message);
    issues.push_back(std::move(issue));
}

void IssueSink::report_at_file(std::string key, std::string message) {
    issues.push_back(ConfigIssue{fallback_file, std::move(key), 0, 0, std::move(message)});
}

std::string_view type_name(toml::node_type type) {
    switch (type) {
        case toml::node_type::table:
            return "table";
        case toml::node_type::array:
            return "array";
        case toml::node_type::string:
            return "string";
        case toml::node_type::integer:
            return "integer";
        case toml::node_type::floating_point:
            return "float";
        case toml::node_type::boolean:
            return "boolean";
        case toml::node_type::date:
            return "date";
        case toml::node_type::time:
            return "time";
        case toml::node_type::date_time:
            return "date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

std::string source_file(const toml::node& node) {
    const auto& path = node.source().path;
    return path ? *path : std::string();
}

TableReader::TableReader(const toml::table* table, std::string path, IssueSink& sink)
    : table_(table), path_(std::move(path)), sink_(sink) {}

std::string TableReader::key_path(std::string_view key) const {
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
    // Keys that are not bare are quoted as in TOML, so the path stays unambiguous.
    const std::string part = bare ? std::string(key) : '"' + std::string(key) + '"';
    return path_.empty() ? part : path_ + '.' + part;
}

const toml::node* TableReader::take(std::string_view key) {
    known_.emplace_back(key);
    return table_ ? table_->get(key) : nullptr;
}

const toml::node* TableReader::expect(std::string_view key, toml::node_type type) {
    const toml::node* node = take(key);
    if (node == nullptr) return nullptr;
    if (node->type() != type) {
        report(*node, key_path(key),
               "expected " + std::string(type_name(type)) + ", found " +
                   std::string(type_name(node->type())));
        return nullptr;
    }
    return node;
}

bool TableReader::read(std::string_view key, std::string& out) {
    const toml::node* node = expect(key, toml::node_type::string);
    if (node == nullptr) return false;
    out = node->as_string()->get();
    return true;
}

bool TableReader::read(std::string_view key, bool& out) {
    const toml::node* node = expect(key, toml::node_type::boolean);
    if (node == nullptr) return false;
    out = node->as_boolean()->get();
    return true;
}

bool TableReader::read_integer(std::string_view key, std::int64_t& out, std::int64_t min,
                               std::int64_t max) {
    const toml::node* node = expect(key, toml::node_type::integer);
    if (node == nullptr) return false;
    const std::int64_t value = node->as_integer()->get();
    if (value < min || value > max) {
        report(*node, key_path(key),
               "value " + std::to_string(value) + " is out of range (" + std::to_string(min) +
                   ".." + std::to_string(max) + ")");
        return false;
    }
    out = value;
    return true;
}

bool TableReader::read_strings(std::string_view key, std::vector<std::string>& out,
                               const StringProblem& problem) {
    const toml::node* node = take(key);
    if (node == nullptr) return false;
    const std::string path = key_path(key);
    const auto* array = node->as_array();
    if (array == nullptr) {
        report(*node, path,
               "expected array of strings, found " + std::string(type_name(node->type())));
        return false;
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = *array->get(i);
        const std::string at = path + "[" + std::to_string(i) + "]";
        const auto* text = element.as_string();
        if (text == nullptr) {
            report(element, at, "expected string, found " + std::string(type_name(element.type())));
        } else if (auto why = problem(text->get())) {
            report(element, at, "\"" + text->get() + "\" " + *why);
        } else if (std::find(values.begin(), values.end(), text->get()) != values.end()) {
            report(element, at, "\"" + text->get() + "\" is listed more than once");
        } else {
            values.push_back(text->get());
        }
    }
    out = std::move(values);
    return true;
}

TableReader TableReader::child(std::string_view key) {
    const toml::node* node = expect(key, toml::node_type::table);
    return TableReader(node ? node->as_table() : nullptr, key_path(key), sink_);
}

void TableReader::report(const toml::node& node, std::string key, std::string message) {
    sink_.report(node.source(), std::move(key), std::move(message));
}

void TableReader::report_missing(std::string_view key, std::string message) {
    if (table_ != nullptr && table_->source().path) {
        sink_.report(table_->source(), key_path(key), std::move(message));
    } else {
        sink_.report_at_file(key_path(key), std::move(message));
    }
}

void TableReader::finish(std::initializer_list<std::string_view> extra_known) {
    if (table_ == nullptr) return;
    std::vector<std::string> known = known_;
    known.insert(known.end(), extra_known.begin(), extra_known.end());
    for (const auto& [key, node] : *table_) {
        if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
        std::string message = "unknown key";
        if (auto suggestion = closest_match(key.str(), known))
            message += " (did you mean \"" + *suggestion + "\"?)";
        toml::source_region where = key.source();
        if (!where.path) where = node.source();
        sink_.report(where, key_path(key.str()), std::move(message));
    }
}

}  // namespace admit::config

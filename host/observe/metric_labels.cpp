#include "host/observe/metric_labels.hpp"

#include <algorithm>

namespace admit::observe {
namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

Error invalid_labels(std::string message) {
    return Error{ErrorCode::METRIC_INVALID_LABELS, std::move(message)};
}

}  // namespace

bool is_valid_metric_name(std::string_view name) {
    if (name.empty() || !(is_name_start(name[0]) || name[0] == ':')) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return is_name_char(c) || c == ':'; });
}

bool is_valid_label_name(std::string_view name) {
    if (name.empty() || !is_name_start(name[0]) || name.starts_with("__")) return false;
    return std::all_of(name.begin(), name.end(), is_name_char);
}

void append_escaped_label_value(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
}

Result<std::string> render_labels(const Labels& labels) {
    std::string out;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto& [name, value] = labels[i];
        if (!is_valid_label_name(name)) return invalid_labels("invalid label name '" + name + "'");
        for (std::size_t j = 0; j < i; ++j) {
            if (labels[j].first == name)
                return invalid_labels("repeated label name '" + name + "'");
        }
        if (i > 0) out += ',';
        out += name;
        out += "=\"";
        append_escaped_label_value(out, value);
        out += '"';
    }
    return out;
}

Result<Labels> parse_rendered_labels(std::string_view text) {
    Labels labels;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eq = text.find('=', pos);
        if (eq == std::string_view::npos)
            return invalid_labels("missing '=' in labels: " + std::string(text));
        std::string name(text.substr(pos, eq - pos));
        if (eq + 1 >= text.size() || text[eq + 1] != '"') {
            return invalid_labels("label value must be quoted: " + std::string(text));
        }
        std::string value;
        std::size_t i = eq + 2;
        bool closed = false;
        for (; i < text.size(); ++i) {
            char c = text[i];
            if (c == '"') {
                closed = true;
                ++i;
                break;
            }
            if (c == '\\') {
                if (++i >= text.size()) break;
                char e = text[i];
                if (e == 'n')
                    value += '\n';
                else if (e == '\\' || e == '"')
                    value += e;
                else
                    return invalid_labels("bad escape in labels: " + std::string(text));
            } else {
                value += c;
            }
        }
        if (!closed) return invalid_labels("unterminated label value: " + std::string(text));
        labels.emplace_back(std::move(name), std::move(value));
        if (i < text.size()) {
            if (text[i] != ',')
                return invalid_labels("expected ',' between labels: " + std::string(text));
            ++i;
            if (i == text.size())
                return invalid_labels("trailing ',' in labels: " + std::string(text));
        }
        pos = i;
    }
    auto rendered = render_labels(labels);  // validates names and repeats
    if (!rendered) return rendered.error();
    return labels;
}

}  // namespace admit::observe

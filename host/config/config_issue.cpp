#include "host/config/config_issue.hpp"

namespace admit::config {

std::string ConfigIssue::to_string() const {
    std::string text = file;
    if (line > 0) {
        text += ':' + std::to_string(line);
        if (column > 0) text += ':' + std::to_string(column);
    }
    text += ": ";
    if (!key.empty()) text += key + ": ";
    text += message;
    return text;
}

std::string to_string(const ConfigIssues& issues) {
    std::string text;
    for (const auto& issue : issues) {
        if (!text.empty()) text += '\n';
        text += issue.to_string();
    }
    return text;
}

}  // namespace admit::config

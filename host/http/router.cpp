#include "host/http/router.hpp"

#include <algorithm>

namespace admit::http::detail {
namespace {

bool is_param_name(std::string_view name) {
    if (name.empty()) return false;
    auto is_start = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    if (!is_start(name[0])) return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return is_start(c) || (c >= '0' && c <= '9'); });
}

// RFC 3986 pchar without percent-encoding (templates are matched against decoded paths).
bool is_literal_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("-._~!$&'()*+,;=:@").find(c) != std::string_view::npos;
}

Error invalid(std::string_view path_template, std::string_view why) {
    return Error{ErrorCode::ROUTE_INVALID_TEMPLATE,
                 "invalid path template '" + std::string(path_template) + "': " + std::string(why)};
}

}  // namespace

Result<std::vector<TemplateSegment>> parse_path_template(std::string_view path_template) {
    std::vector<TemplateSegment> segments;
    if (path_template.empty() || path_template.front() != '/')
        return invalid(path_template, "must start with '/'");
    if (path_template == "/") return segments;
    std::string_view rest = path_template.substr(1);
    while (true) {
        std::size_t slash = rest.find('/');
        std::string_view segment = rest.substr(0, slash);
        if (segment.empty())
            return invalid(path_template, "empty segment (doubled or trailing '/')");
        if (segment.front() == '{') {
            if (segment.back() != '}')
                return invalid(path_template, "a parameter must be a whole segment {name}");
            std::string_view name = segment.substr(1, segment.size() - 2);
            if (!is_param_name(name)) return invalid(path_template, "bad parameter name");
            for (const auto& existing : segments) {
                if (existing.is_param && existing.text == name)
                    return invalid(path_template, "parameter named twice");
            }
            segments.push_back(TemplateSegment{std::string(name), true});
        } else {
            if (!std::all_of(segment.begin(), segment.end(), is_literal_char)) {
                return invalid(path_template, "bad character in a literal segment");
            }
            segments.push_back(TemplateSegment{std::string(segment), false});
        }
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
    }
    return segments;
}

bool is_valid_method(std::string_view method) {
    return !method.empty() && method.size() <= 16 &&
           std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace admit::http::detail

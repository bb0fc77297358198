#include "host/http/request_target.hpp"

#include <algorithm>
#include <cctype>

namespace admit::http {
namespace {

bool is_unreserved(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

bool is_sub_delim(char c) {
    return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool is_reg_name(std::string_view name) {
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c == '%') {
            if (i + 2 >= name.size() || !is_hex(name[i + 1]) || !is_hex(name[i + 2])) return false;
            i += 2;
            continue;
        }
        if (!is_unreserved(c) && !is_sub_delim(c)) return false;
    }
    return true;
}

// "[...]": an IPv6 address or IPvFuture; checked for its character set only (the resolver is
// never asked, the value only has to be well-formed).
bool is_ip_literal(std::string_view literal) {
    if (literal.size() < 3 || literal.front() != '[' || literal.back() != ']') return false;
    std::string_view inside = literal.substr(1, literal.size() - 2);
    return std::all_of(inside.begin(), inside.end(), [](char c) {
        return is_hex(c) || c == ':' || c == '.' || c == 'v' || c == 'V' || is_unreserved(c) ||
               is_sub_delim(c);
    });
}

bool is_port(std::string_view port) {
    return port.size() <= 5 &&
           std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<OriginTarget> to_origin_target(std::string_view target) {
    if (!target.empty() && target.front() == '/') return OriginTarget{target, std::nullopt};
    std::string_view rest;
    auto starts_with_scheme = [&](std::string_view scheme) {
        if (target.size() < scheme.size()) return false;
        for (std::size_t i = 0; i < scheme.size(); ++i) {
            if (std::tolower(static_cast<unsigned char>(target[i])) != scheme[i]) return false;
        }
        rest = target.substr(scheme.size());
        return true;
    };
    if (!starts_with_scheme("http://") && !starts_with_scheme("https://")) return std::nullopt;
    std::size_t end = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, end);
    if (authority.empty() || authority.find('@') != std::string_view::npos ||
        !is_valid_host_value(authority))
        return std::nullopt;
    if (end == std::string_view::npos) return OriginTarget{"/", authority};
    if (rest[end] == '?') return std::nullopt;  // "http://h?q": no path; not worth supporting
    return OriginTarget{rest.substr(end), authority};
}

bool is_valid_host_value(std::string_view value) {
    if (value.empty()) return true;
    std::string_view host = value;
    std::string_view port;
    if (value.front() == '[') {
        std::size_t close = value.find(']');
        if (close == std::string_view::npos) return false;
        host = value.substr(0, close + 1);
        std::string_view after = value.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return false;
            port = after.substr(1);
        }
        return is_ip_literal(host) && is_port(port);
    }
    std::size_t colon = value.rfind(':');
    if (colon != std::string_view::npos) {
        host = value.substr(0, colon);
        port = value.substr(colon + 1);
    }
    return !host.empty() && is_reg_name(host) && is_port(port);
}

}  // namespace admit::http

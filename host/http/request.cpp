#include "host/http/request.hpp"

namespace admit::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return std::string_view(value);
    }
    return std::nullopt;
}

std::optional<std::string_view> Request::param(std::string_view name) const {
    for (const auto& p : params) {
        if (p.name == name) return p.value;
    }
    return std::nullopt;
}

bool percent_decode_path(std::string_view raw, std::string& out) {
    out.clear();
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c != '%') {
            out += c;
            continue;
        }
        if (i + 2 >= raw.size()) return false;
        int hi = hex_value(raw[i + 1]);
        int lo = hex_value(raw[i + 2]);
        if (hi < 0 || lo < 0) return false;
        char decoded = static_cast<char>(hi * 16 + lo);
        if (decoded == '\0') return false;
        out += decoded;
        i += 2;
    }
    return true;
}

}  // namespace admit::http

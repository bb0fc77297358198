#include "host/plugins/registrations.hpp"


namespace admit::runtime {
namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

std::string joined(const NameSet& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none declared: set [access] roles" : out;
}

}  // namespace

bool RoleRule::parse(std::string_view text, const NameSet& declared, RoleRule& out,
                     std::string& error) {
    out = RoleRule{};
    text = trim(text);
    if (text == "public") {
        out.kind = Kind::public_access;
        return true;
    }
    if (text == "authenticated") {
        out.kind = Kind::authenticated;
        return true;
    }
    out.kind = Kind::roles;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view role = trim(text.substr(0, comma));
        if (!declared.contains(role)) {
            error = "role '" + std::string(role) +
                    "' is not declared (use public, authenticated, or a role of [access] roles: " +
                    joined(declared) + ")";
            return false;
        }
        out.roles.emplace(role);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    if (out.roles.empty()) {
        error = "a route must state who may call it (roles is empty)";
        return false;
    }
    return true;
}

std::string RoleRule::to_string() const {
    switch (kind) {
        case Kind::public_access:
            return "public";
        case Kind::authenticated:
            return "authenticated";
        case Kind::roles:
            break;
    }
    std::string out;
    for (const auto& r : roles) {
        if (!out.empty()) out += ',';
        out += r;
    }
    return out;
}

}  // namespace admit::runtime

#include "host/plugins/registrations.hpp"

#include "admit/registration_rules.hpp"

namespace admit::runtime {

bool RoleRule::parse(std::string_view text, const NameSet& declared, RoleRule& out,
                     std::string& error) {
    out = RoleRule{};
    if (auto problem = rules::roles_problem(text, declared, &out.roles)) {
        error = std::move(*problem);
        return false;
    }
    const std::string_view trimmed = rules::detail::trim_spaces(text);
    out.kind = trimmed == "public"          ? Kind::public_access
               : trimmed == "authenticated" ? Kind::authenticated
                                            : Kind::roles;
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

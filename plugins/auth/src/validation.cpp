#include "validation.hpp"

#include <admit/sdk/json_fields.hpp>

#include <algorithm>
#include <array>

namespace admit::auth {
namespace {

using sdk::Error;

Error field_error(std::string_view field, std::string_view problem) {
    return Error::invalid("field '" + std::string(field) + "' " + std::string(problem));
}

/// Number of code points of valid UTF-8 without control characters; nullopt otherwise.
std::optional<std::size_t> printable_utf8_length(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        if (byte < 0x80) {
            if (byte < 0x20 || byte == 0x7f) return std::nullopt;
        } else if ((byte & 0xe0) == 0xc0 && byte >= 0xc2) {
            extra = 1;
        } else if ((byte & 0xf0) == 0xe0) {
            extra = 2;
        } else if ((byte & 0xf8) == 0xf0 && byte <= 0xf4) {
            extra = 3;
        } else {
            return std::nullopt;
        }
        if (extra > 0 && i + extra >= text.size()) return std::nullopt;
        for (std::size_t k = 1; k <= extra; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return std::nullopt;
        }
        i += extra + 1;
        ++count;
    }
    return count;
}

}  // namespace

bool is_known_role(std::string_view role) noexcept {
    return role == "customer" || role == "seller" || role == "admin" || role == "staff";
}

bool is_known_tier(std::string_view tier) noexcept {
    return tier == "none" || tier == "SILVER" || tier == "GOLD" || tier == "DIAMOND";
}

bool is_known_status(std::string_view status) noexcept {
    return status == "active" || status == "suspended";
}

sdk::Result<std::string> valid_email(const boost::json::object& body, std::string_view field) {
    auto value = sdk::fields::required_string(body, field);
    if (!value) return std::move(value).error();
    std::string email = std::move(*value);
    if (email.size() > kMaxEmailBytes) return field_error(field, "must be at most 254 bytes");
    const auto at = email.find('@');
    if (at == std::string::npos || at == 0 || at > 64 ||
        email.find('@', at + 1) != std::string::npos) {
        return field_error(field, "must be an email address");
    }
    const std::string_view domain = std::string_view(email).substr(at + 1);
    const auto dot = domain.find('.');
    if (domain.empty() || dot == std::string_view::npos || dot == 0 || domain.back() == '.' ||
        domain.find("..") != std::string_view::npos) {
        return field_error(field, "must be an email address");
    }
    for (char c : email) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' ||
            c == '"') {
            return field_error(field, "must be an email address");
        }
    }
    std::transform(email.begin(), email.end(), email.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return email;
}

sdk::Result<std::string> valid_password(const boost::json::object& body, std::string_view field) {
    auto value = sdk::fields::required_string(body, field);
    if (!value) return std::move(value).error();
    if (value->size() < kMinPasswordBytes) return field_error(field, "must be at least 10 bytes");
    if (value->size() > kMaxPasswordBytes) return field_error(field, "must be at most 128 bytes");
    return std::move(*value);
}

sdk::Result<std::string> valid_name(const boost::json::object& body, std::string_view field) {
    auto value = sdk::fields::required_string(body, field);
    if (!value) return std::move(value).error();
    std::string_view name = *value;
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    const auto length = printable_utf8_length(name);
    if (!length) return field_error(field, "must be UTF-8 text without control characters");
    if (*length == 0) return field_error(field, "must not be blank");
    if (*length > kMaxNameChars) return field_error(field, "must be at most 100 characters");
    return std::string(name);
}

sdk::Result<std::optional<std::string>> optional_choice(const boost::json::object& body,
                                                        std::string_view field,
                                                        bool (*allowed)(std::string_view) noexcept,
                                                        std::string_view allowed_text) {
    auto value = sdk::fields::optional_string(body, field);
    if (!value) return std::move(value).error();
    if (*value && !allowed(**value))
        return field_error(field, "must be one of " + std::string(allowed_text));
    return std::move(*value);
}

}  // namespace admit::auth

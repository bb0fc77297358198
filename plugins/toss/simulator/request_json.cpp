#include "request_json.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>
#include <charconv>

namespace admit::paysim {
namespace json = boost::json;

namespace {
constexpr int64_t kMaxAmount = 1'000'000'000'000;
}

std::variant<json::object, std::string> parse_json_object(const std::string& body) {
    if (body.empty()) return std::string("request body is empty; a JSON object is required");
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec) return fmt::format("malformed JSON: {}", ec.message());
    if (!value.is_object()) return std::string("request body must be a JSON object");
    return std::move(value.as_object());
}

bool valid_text(const std::string& text, std::size_t max_len) {
    if (text.size() > max_len) return false;
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) return false;
    }
    return true;
}

std::optional<std::string> string_field(const json::object& o, const char* name,
                                        std::size_t min_len, std::size_t max_len, bool required,
                                        std::optional<FieldError>& error) {
    if (error) return std::nullopt;
    auto* v = o.if_contains(name);
    if (!v || v->is_null()) {
        if (required) error = FieldError{fmt::format("{} is required", name)};
        return std::nullopt;
    }
    if (!v->is_string()) {
        error = FieldError{fmt::format("{} must be a string", name)};
        return std::nullopt;
    }
    std::string s(v->as_string());
    if (s.size() < min_len || !valid_text(s, max_len)) {
        error = FieldError{fmt::format("{} must be {} to {} characters without control characters",
                                       name, min_len, max_len)};
        return std::nullopt;
    }
    return s;
}

std::optional<int64_t> amount_field(const json::object& o, const char* name, bool required,
                                    std::optional<FieldError>& error) {
    if (error) return std::nullopt;
    auto* v = o.if_contains(name);
    if (!v || v->is_null()) {
        if (required) error = FieldError{fmt::format("{} is required", name)};
        return std::nullopt;
    }
    if (!v->is_int64() || v->as_int64() <= 0 || v->as_int64() > kMaxAmount) {
        error = FieldError{fmt::format(
            "{} must be a positive integer (KRW minor units) of at most {}", name, kMaxAmount)};
        return std::nullopt;
    }
    return v->as_int64();
}

bool valid_order_id(const std::string& id) {
    if (id.size() < 6 || id.size() > 64) return false;
    for (char c : id) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '=';
        if (!ok) return false;
    }
    return true;
}

bool valid_token(const std::string& token, std::size_t max_len) {
    if (token.empty() || token.size() > max_len) return false;
    for (unsigned char c : token) {
        if (c <= 0x20 || c >= 0x7f) return false;
    }
    return true;
}

std::optional<int64_t> parse_amount_text(const std::string& text) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size() || v <= 0 || v > kMaxAmount) {
        return std::nullopt;
    }
    return v;
}

}  // namespace admit::paysim

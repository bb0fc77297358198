// Reading and validating JSON request bodies. Every failure is a message naming the field, for
// a 400 INVALID_REQUEST. Pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace admit::paysim {

// The body as a JSON object, or an error message ("malformed JSON: ...").
std::variant<boost::json::object, std::string> parse_json_object(const std::string& body);

struct FieldError {
    std::string message;
};

// A required (or optional when `required` is false) string of min_len..max_len characters
// (UTF-8 bytes) without control characters.
std::optional<std::string> string_field(const boost::json::object& o, const char* name,
                                        std::size_t min_len, std::size_t max_len, bool required,
                                        std::optional<FieldError>& error);
// A positive integer amount in minor units, at most 10^12.
std::optional<int64_t> amount_field(const boost::json::object& o, const char* name, bool required,
                                    std::optional<FieldError>& error);

// Toss's orderId rule: 6 to 64 characters of A-Z a-z 0-9 - _ =
inline constexpr const char* kOrderIdRule =
    "orderId must be 6 to 64 characters of A-Z a-z 0-9 - _ =";
bool valid_order_id(const std::string& order_id);
// Printable ASCII without spaces, 1..200 characters (paymentKey, Idempotency-Key up to 300).
bool valid_token(const std::string& token, std::size_t max_len);
bool valid_text(const std::string& text, std::size_t max_len);  // no control characters
std::optional<int64_t> parse_amount_text(const std::string& text);

}  // namespace admit::paysim

// The contracts of the hello routes (ABI 1.2): what each route accepts and answers, one source for
// the host's input validation and /openapi.json. An example of the smallest useful contract: a
// body schema the host enforces before the handler (400 naming the field), the success status and
// the response schema.
#pragma once

#include <string_view>

namespace admit::hello::contracts {

inline constexpr std::string_view kHello = R"({
  "response": {"description": "a fixed greeting", "schema": {"type": "object",
    "required": ["message", "plugin"], "properties": {
      "message": {"type": "string"}, "plugin": {"const": "hello"}}}}})";

inline constexpr std::string_view kGreetByPath = R"({
  "response": {"description": "the configured greeting for the name", "schema": {"type": "object",
    "required": ["message"], "properties": {"message": {"type": "string"}}}}})";

inline constexpr std::string_view kGreetByBody = R"({
  "request": {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "minLength": 1},
    "times": {"type": ["integer", "null"], "minimum": 1, "maximum": 10, "description": "default 1"}}},
  "response": {"status": 201, "description": "the greeting, `times` times", "schema": {
    "type": "object", "required": ["messages", "by"], "properties": {
      "messages": {"type": "array", "minItems": 1, "maxItems": 10, "items": {"type": "string"}},
      "by": {"type": "string", "description": "the caller's user id, empty when anonymous"}}}}})";

/// The route that exists only when a test venue asks for it: it always throws.
inline constexpr std::string_view kBoom = R"({
  "response": {"description": "never: the handler always throws"},
  "errors": {"500": ["INTERNAL"]}})";

}  // namespace admit::hello::contracts

// JsonSchema: the subset of JSON Schema (2020-12) that route contracts use to describe and
// validate request bodies and query parameters: one source for the 400 messages and for
// /openapi.json.
//
// Trap it avoids: a validator that silently ignores what it does not understand. compile()
// refuses every keyword outside the supported list, so a typo ("requried") or an unsupported
// keyword ("$ref", "if") fails the plugin's registration instead of quietly validating nothing.
//
// Supported: type (one name or a list), enum, const, anyOf, oneOf, allOf; strings: minLength,
// maxLength (in code points), pattern (ECMAScript, unanchored as JSON Schema says; only with a
// maxLength of at most 1024, so the regex engine's work is bounded), format
// (annotation, plus a check for "date-time"); numbers: minimum, maximum, exclusiveMinimum,
// exclusiveMaximum; objects: properties, required, additionalProperties (bool or schema),
// minProperties, maxProperties; arrays: items, minItems, maxItems, uniqueItems. Annotations:
// title, description, examples, default, deprecated, readOnly, writeOnly, $comment.
// "integer" accepts JSON integers only (1.0 is refused: handlers read integers as integers).
//
// Thread-safety: a compiled schema is immutable; validate() may run on any number of threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "host/common/result.hpp"

namespace admit::runtime {

class JsonSchema {
  public:
    struct Node;

    // Compiles `document`. Errors: INVALID_ARGUMENT naming the JSON pointer of the problem.
    static Result<JsonSchema> compile(const boost::json::value& document);

    // nullopt when `value` matches; otherwise the first violation as "<where>: <problem>", where
    // <where> is `root_name` followed by the path to the offending value ("body.seatIds[2]").
    std::optional<std::string> validate(const boost::json::value& value,
                                        std::string_view root_name) const;

    // The schema as written (for /openapi.json).
    const boost::json::value& document() const { return document_; }
    // The declared type names of the property `name` of an object schema (empty when the schema
    // has no such property or it declares no type).
    std::vector<std::string> property_types(std::string_view name) const;

  private:
    boost::json::value document_;
    std::shared_ptr<const Node> root_;
};

}  // namespace admit::runtime

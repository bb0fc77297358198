// OutputSchema: the declared type and range of every field of a policy's decision
// (policies/<name>.schema.json). A decision with an undeclared field, a field of another type,
// a number outside its range, a string outside its enumeration or a missing required field is
// refused: at publish (through the tests and the fallback) and on the live path (the call answers
// the fallback). See policies/README.md for the file format.
//
// Thread-safety: immutable after parse(); check() may be called from any thread.
#pragma once

#include "host/common/result.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct lua_State;

namespace admit::policy {

class OutputSchema {
  public:
    enum class Type { integer, number, string, boolean, object, array };

    struct Field {
        Type type = Type::string;
        bool required = false;
        std::optional<double> min;  // integer and number fields
        std::optional<double> max;
        std::vector<std::string> one_of;  // string fields; empty: any string
        bool money = false;               // a money amount (shadow runs total its change)
        bool time = false;                // a duration or instant the decision sets
    };

    // Parses the schema file's JSON text. Errors (POLICY_CONTRACT) name the field and the problem;
    // `origin` ("fees.schema.json") prefixes the message.
    static Result<std::shared_ptr<const OutputSchema>> parse(std::string_view json,
                                                             std::string_view origin);

    // Reads and parses a schema file; a file that does not exist is no schema (null), a file that
    // cannot be read is POLICY_IO.
    static Result<std::shared_ptr<const OutputSchema>> load(const std::filesystem::path& path);

    // Checks the Lua table at stack index idx (a decision). Returns the problem, or an empty
    // string when the decision fits. Never raises a Lua error and never throws.
    std::string check(lua_State* L, int idx) const noexcept;
    // The same check on a decision as JSON (the fallback, recorded decisions).
    std::string check(const boost::json::value& decision) const;

    const std::map<std::string, Field, std::less<>>& fields() const { return fields_; }
    // True when a field is money or time: such decisions are always recorded.
    bool sets_money_or_time() const;
    const std::string& origin() const { return origin_; }

  private:
    struct Scalar;  // one field's value, from Lua or from JSON
    std::string check_field(std::string_view name, const Scalar& value) const;
    std::string missing_required(const std::vector<std::string_view>& seen) const;

    std::string origin_;
    std::map<std::string, Field, std::less<>> fields_;
};

}  // namespace admit::policy

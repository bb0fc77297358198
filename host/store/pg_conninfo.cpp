#include "host/store/pg_conninfo.hpp"

#include <libpq-fe.h>

#include <map>
#include <memory>

#include "host/store/pg_errors.hpp"

namespace admit::store {
namespace {

std::string quote_conninfo_value(const std::string& value) {
    std::string quoted = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') quoted += '\\';
        quoted += c;
    }
    quoted += '\'';
    return quoted;
}

}  // namespace

Result<std::string> build_conninfo(const std::string& url,
                                   std::chrono::milliseconds connect_timeout,
                                   std::chrono::milliseconds statement_timeout) {
    char* parse_error = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> parsed(
        PQconninfoParse(url.c_str(), &parse_error), &PQconninfoFree);
    if (!parsed) {
        std::string reason = one_line(parse_error ? parse_error : "out of memory");
        PQfreemem(parse_error);
        return Error{ErrorCode::CONFIG_INVALID, "database URL cannot be parsed: " + reason};
    }

    std::map<std::string, std::string> values;
    for (const PQconninfoOption* opt = parsed.get(); opt->keyword != nullptr; ++opt) {
        if (opt->val != nullptr && opt->val[0] != '\0') values[opt->keyword] = opt->val;
    }

    // libpq takes whole seconds (and treats 1 as 2); round up so the bound is never shorter.
    const auto seconds = std::max<long long>(1, (connect_timeout.count() + 999) / 1000);
    values["connect_timeout"] = std::to_string(seconds);
    std::string session_options = values["options"];
    if (!session_options.empty()) session_options += ' ';
    session_options += "-c statement_timeout=" + std::to_string(statement_timeout.count());
    values["options"] = session_options;
    if (values.find("application_name") == values.end()) values["application_name"] = "admitd";

    std::string conninfo;
    for (const auto& [key, value] : values) {
        if (!conninfo.empty()) conninfo += ' ';
        conninfo += key + '=' + quote_conninfo_value(value);
    }
    return conninfo;
}

}  // namespace admit::store

// RouteContract: what a route promises and expects, registered once next to its handler
// (admit_route_desc.contract, ABI 1.2): the operationId, the query parameters, the request body and
// the success response as JSON Schemas, and the error codes per status. The contract guard
// validates requests with it before the handler runs, and /openapi.json renders it: the 400
// messages and the document come from one source.
//
// Trap it avoids: a contract that drifts from what is enforced. Only what is compiled here is
// documented, and everything documented about the input is enforced.
//
// Thread-safety: immutable after parse; shared by the route table and read by any worker.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "host/common/result.hpp"
#include "host/pipeline/json_schema.hpp"

namespace admit::runtime {

struct RouteContract {
    std::string operation_id;  // may be empty (then /openapi.json derives one)
    // An object schema whose properties are the query parameters.
    std::optional<JsonSchema> query;
    // The declared types of each query parameter, read once at registration (check_query runs on
    // every request).
    std::map<std::string, std::vector<std::string>, std::less<>> query_types;
    std::optional<JsonSchema> request;
    int response_status = 200;
    // Further success statuses with the same body (201 for a new place, 200 for the one the caller
    // already has; 202 for an outcome not known yet).
    std::vector<int> other_statuses;
    bool documents_status(int status) const;
    std::string response_description;
    std::string response_media_type = "application/json";  // "image/png", "text/plain", ...
    std::optional<JsonSchema> response_schema;             // documented; checked only in test runs
    std::map<int, std::vector<std::string>> errors;        // status -> error codes

    // nullopt when the raw query string satisfies `query`; otherwise the 400 message. Values are
    // read as the declared type (integer, number, boolean; otherwise string).
    std::optional<std::string> check_query(std::string_view raw_query) const;
    // nullopt when `body` (the raw request body) satisfies `request`; otherwise the 400 message.
    std::optional<std::string> check_body(std::string_view body) const;
    // nullopt when a success response's JSON body satisfies `response_schema` (or there is none).
    std::optional<std::string> check_response(std::string_view body) const;
};

// Parses the contract text of a route (`allow_request` false for streams, which have no body).
// Errors: INVALID_ARGUMENT naming the member and the problem.
Result<RouteContract> parse_route_contract(std::string_view operation_id,
                                           std::string_view contract_text, bool allow_request);

// True for "[A-Za-z][A-Za-z0-9_]*".
bool valid_operation_id(std::string_view id);

}  // namespace admit::runtime

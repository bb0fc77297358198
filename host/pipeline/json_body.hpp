// Reading JSON request bodies of the host's own routes. Failures are
// Error{ErrorCode::INVALID_REQUEST} whose message names the field, ready for a 400 answer.
#pragma once

#include <optional>
#include <string>

#include <boost/json.hpp>

#include "host/common/result.hpp"
#include "host/http/request.hpp"
#include "host/http/response.hpp"

namespace admit::runtime {

Result<boost::json::object> parse_json_object(const http::Request& request);

// A field that may be absent; present but not a number (or string) is an error.
Result<std::optional<double>> optional_number(const boost::json::object& body,
                                              std::string_view field);
Result<std::optional<std::string>> optional_string(const boost::json::object& body,
                                                   std::string_view field);

// 400 INVALID_REQUEST with the error's message.
http::Response bad_request(const Error& error, std::string_view trace_id);

}  // namespace admit::runtime

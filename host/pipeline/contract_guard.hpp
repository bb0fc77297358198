// ContractGuard: checks a request against its route's contract (query parameters and JSON body)
// before the handler runs, answering 400 INVALID_REQUEST with a message that names the field.
//
// Trap it avoids: validation that differs per handler. The schema a route documents in
// /openapi.json is the one enforced here, so a client generated from the document and the server
// agree on what is valid. Handlers still check what a schema cannot say (business rules, 422).
//
// Thread-safety: stateless; before() runs on any worker.
#pragma once

#include "host/pipeline/dispatcher.hpp"

namespace admit::runtime {

class ContractGuard final : public RequestGuard {
  public:
    // check_responses ([testing] check_responses): a success response whose JSON body does not
    // match the route's documented response schema is replaced by 500
    // RESPONSE_CONTRACT_VIOLATION naming the field, so every test that calls a route also checks
    // its documentation. Off in production (it costs a parse per response). The bytes sent are
    // checked (a borrowed body too); a body with a Content-Encoding is not.
    explicit ContractGuard(bool check_responses = false) : check_responses_(check_responses) {}

    std::optional<http::Response> before(const RouteEntry& route, const Caller& caller,
                                         const http::Request& request) override;
    void after(const RouteEntry& route, const Caller& caller, const http::Request& request,
               http::Response& response) override;

  private:
    bool check_responses_;
};

}  // namespace admit::runtime

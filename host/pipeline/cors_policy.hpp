// CorsPolicy: the CORS protocol (Fetch standard) for browser clients on other origins: answers
// preflights and adds Access-Control-* headers to the responses of allowed origins.
// Traps avoided: reflecting any Origin while allowing credentials (every site could then call the
// API as the signed-in user): origins match exactly, and there is no "*". A response that depends
// on Origin says `Vary: Origin`, so a shared cache never hands one origin's answer to another.
// Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/http/request.hpp"
#include "host/http/response.hpp"

namespace admit::runtime {

struct CorsRules {
    std::vector<std::string> allowed_origins;  // exact; empty: CORS off
    std::vector<std::string> allowed_headers;  // request headers a browser may send
    std::vector<std::string> exposed_headers;  // response headers its scripts may read
    std::uint32_t max_age_seconds = 600;
};

class CorsPolicy {
  public:
    explicit CorsPolicy(CorsRules rules);

    bool enabled() const { return !rules_.allowed_origins.empty(); }

    // The answer to OPTIONS on a path whose routes allow `allow` ("GET, POST"). A CORS preflight
    // (Origin and Access-Control-Request-Method present) from an allowed origin gets 204 with the
    // Access-Control-Allow-* headers; from any other origin 403 FORBIDDEN without them (the browser
    // then refuses the real request). A plain OPTIONS gets 204 with Allow.
    http::Response answer_options(const http::Request& request, std::string_view allow) const;

    // Adds Access-Control-Allow-Origin, -Allow-Credentials and -Expose-Headers when the request
    // comes from an allowed origin, and Vary: Origin whenever CORS is on.
    void decorate(const http::Request& request, http::Response& response) const;

  private:
    bool allows(std::string_view origin) const;

    CorsRules rules_;
    std::string allowed_headers_text_;
    std::string exposed_headers_text_;
};

}  // namespace admit::runtime

// ExchangeLog: the `exchange` record every payment_provider answer carries (the payment plugin
// keeps it in its payment log): {method, url, requestHeaders, requestBody, status, responseBody,
// latencyMs, attempts, error}. Secrets never appear in it: the Authorization header is replaced by
// "Basic [REDACTED]", and every occurrence of a secret (the secret key, the webhook secret, the
// Basic credential) in a body or message is replaced by "[REDACTED]".
// Thread-safe after construction (immutable).
#pragma once

#include <admit/sdk/http_client.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace admit::toss {

class ExchangeLog {
  public:
    explicit ExchangeLog(std::vector<std::string> secrets);

    /// `response` empty: nothing usable came back (`error` says why).
    boost::json::object record(const sdk::HttpRequest& request,
                               const std::optional<sdk::HttpResponse>& response,
                               const std::string& error, uint32_t latency_ms) const;
    /// `text` with every secret replaced.
    std::string redact(std::string text) const;

  private:
    std::vector<std::string> secrets_;
};

}  // namespace admit::toss

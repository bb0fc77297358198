// TossApi: the payment_provider contract (plugins/README.md) spoken to the Toss Payments v1 API:
//   confirm  POST /v1/payments/confirm {paymentKey, orderId, amount}
//   cancel   POST /v1/payments/{paymentKey}/cancel {cancelReason, cancelAmount}
//   query    GET  /v1/payments/orders/{orderId}
// with Basic auth base64(secretKey + ":") and the caller's Idempotency-Key on every POST.
//
// Each method validates its input (Error::invalid naming the field), sends one request through the
// host (retried by the host only because it carries an Idempotency-Key or is a GET), and answers
// the contract's JSON with `exchange` (secrets redacted). A request that certainly did not leave
// (circuit open, no connection) is Error::unavailable; one that got no answer is outcome UNKNOWN.
// Money in answers is {amount, currency}; input amounts may be an integer or {amount, currency}.
//
// Thread-safe (immutable after construction; the sender must be thread-safe).
#pragma once

#include "exchange_log.hpp"
#include "toss_config.hpp"

#include <admit/sdk/http_client.hpp>
#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <functional>

namespace admit::toss {

using HttpSender = std::function<sdk::Result<sdk::HttpResponse>(const sdk::HttpRequest&)>;

class TossApi {
  public:
    TossApi(TossConfig config, HttpSender send);

    sdk::Result<boost::json::object> confirm(const boost::json::object& input) const;
    sdk::Result<boost::json::object> cancel(const boost::json::object& input) const;
    sdk::Result<boost::json::object> query(const boost::json::object& input) const;
    /// {checkoutUrl}: the provider's checkout page for this order (the simulator's /checkout).
    sdk::Result<boost::json::object> checkout(const boost::json::object& input) const;

    const TossConfig& config() const { return config_; }
    const ExchangeLog& exchange_log() const { return log_; }

  private:
    struct Sent {
        std::optional<sdk::HttpResponse> response;  // empty: no usable answer (may have acted)
        std::string error;                          // why, when empty
        boost::json::object exchange;
    };
    /// Sends `request`; Error only when it certainly did not leave or was malformed.
    sdk::Result<Sent> send(sdk::HttpRequest request) const;
    sdk::HttpRequest post(std::string path, const boost::json::object& body,
                          const std::string& idempotency_key) const;

    TossConfig config_;
    HttpSender send_;
    std::string authorization_;
    ExchangeLog log_;
};

}  // namespace admit::toss

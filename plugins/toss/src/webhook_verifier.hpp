// WebhookVerifier: checks and parses a webhook as the simulator (admit-pay-sim) signs it:
//   Admit-Sim-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>
//   Admit-Sim-Event-Id:  the event id (the same for duplicates and retries)
// Order of checks: signature (header present, well formed, HMAC equal in constant time), then
// timestamp (|now - t| <= tolerance), then the body (JSON with eventType and data.orderId).
// Pure; thread-safe.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace admit::toss {

class WebhookVerifier {
  public:
    WebhookVerifier(std::string secret, int64_t tolerance_seconds)
        : secret_(std::move(secret)), tolerance_seconds_(tolerance_seconds) {}

    /// The contract's answer: {valid: true, eventId, eventType, orderId, paymentKey?, status?,
    /// amount?: {amount, currency}, occurredAt} or {valid: false, reason:
    /// "signature"|"timestamp"|"malformed"}. `headers` have lower-case names; `now_us` is the host
    /// clock.
    boost::json::object verify(const std::map<std::string, std::string>& headers,
                               const std::string& body, int64_t now_us) const;

  private:
    std::string secret_;
    int64_t tolerance_seconds_;
};

}  // namespace admit::toss

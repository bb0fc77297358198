// ProviderClient: the payment_provider contract (plugins/README.md) seen from the payment plugin.
// Calls `<provider>.confirm|cancel|query|verify_webhook|checkout` through host service calls and
// reads the answers into typed values; it never talks HTTP itself. Thread-safe (stateless apart
// from the host reference).
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace admit::payment {

/// What a confirm, cancel or query answered. `outcome` is the contract's word (APPROVED,
/// DECLINED, UNKNOWN; CANCELLED, REFUSED, UNKNOWN; FOUND, NOT_FOUND, UNKNOWN).
struct ProviderAnswer {
    std::string outcome;
    std::string payment_key;
    std::string status;                  ///< query and webhooks: the provider's status
    std::optional<int64_t> amount;       ///< approvedAmount / cancelledAmount / totalAmount
    std::optional<int64_t> balance;      ///< balanceAmount (cancel, query)
    std::optional<int64_t> approved_us;  ///< approvedAt
    std::string failure_code;
    std::string failure_message;
    boost::json::value exchange;  ///< request/response as sent (secrets redacted)
};

/// A verified webhook; `valid` false carries `reason` only.
struct WebhookEvent {
    bool valid = false;
    std::string reason;
    std::string event_id;
    std::string event_type;
    std::string order_id;
    std::string payment_key;
    std::string status;
    std::optional<int64_t> amount;
};

class ProviderClient {
  public:
    ProviderClient(const sdk::Host& host, std::string provider)
        : host_(host), provider_(std::move(provider)) {}

    const std::string& name() const noexcept { return provider_; }

    /// An Error only when the call did not complete: ADMIT_E_UNAVAILABLE means the request
    /// certainly did not reach the provider. A request that may have reached it is UNKNOWN.
    sdk::Result<ProviderAnswer> confirm(const std::string& order_id, const std::string& payment_key,
                                        int64_t amount, const std::string& currency,
                                        const std::string& idempotency_key) const;
    sdk::Result<ProviderAnswer> cancel(const std::string& payment_key, const std::string& order_id,
                                       int64_t amount, const std::string& currency,
                                       const std::string& reason,
                                       const std::string& idempotency_key) const;
    sdk::Result<ProviderAnswer> query(const std::string& order_id) const;
    sdk::Result<WebhookEvent> verify_webhook(const boost::json::object& headers,
                                             std::string_view body) const;
    sdk::Result<std::string> checkout(const std::string& order_id, int64_t amount,
                                      const std::string& currency, const std::string& order_name,
                                      const std::string& success_url,
                                      const std::string& fail_url) const;

    /// An amount of the contract: {"amount", "currency"} or a bare integer; nullopt otherwise.
    static std::optional<int64_t> amount_of(const boost::json::value* value);

  private:
    sdk::Result<boost::json::object> call(std::string_view method,
                                          const boost::json::value& input) const;

    const sdk::Host& host_;
    std::string provider_;
};

}  // namespace admit::payment

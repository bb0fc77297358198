// The toss plugin: a payment_provider adapter (plugins/README.md) for Toss Payments v1, offering
// toss.confirm, toss.cancel, toss.query, toss.verify_webhook and toss.checkout to the payment
// plugin. It owns no tables and no routes; every provider call goes through the host's outbound
// HTTP (ABI 1.1). See plugins/toss/README.md.
#include "toss_api.hpp"
#include "toss_config.hpp"
#include "webhook_verifier.hpp"

#include <admit/sdk.hpp>

#include <map>
#include <memory>

namespace admit::toss {

using boost::json::object;
using sdk::Status;

/// Config ([plugin.toss]): base_url, checkout_url, connect_timeout_ms, read_timeout_ms,
/// query_timeout_ms, max_attempts, webhook_tolerance_seconds. Secrets: ADMIT_TOSS_SECRET_KEY,
/// ADMIT_TOSS_WEBHOOK_SECRET (environment only; init fails without them).
class TossPlugin final : public sdk::Plugin {
  public:
    Status init(sdk::Host& host) override {
        host_ = &host;
        if (!ADMIT_HOST_OFFERS(host.api(), http_request)) {
            return sdk::Error::unsupported(
                "toss needs the host's outbound HTTP (ABI 1.1); this host does not offer it");
        }
        auto config = load_config(host.config());
        if (!config) return sdk::Error::invalid("toss: " + config.error().message);
        verifier_ = std::make_unique<WebhookVerifier>(config->webhook_secret,
                                                      config->webhook_tolerance_seconds);
        sdk::Host* h = &host;
        api_ = std::make_unique<TossApi>(std::move(config.value()),
                                         [h](const sdk::HttpRequest& r) { return h->http(r); });
        for (const char* method : {"confirm", "cancel", "query"}) {
            for (const char* outcome : {"APPROVED", "DECLINED", "CANCELLED", "REFUSED", "FOUND",
                                        "NOT_FOUND", "UNKNOWN", "UNAVAILABLE", "INVALID"}) {
                ADMIT_TRY_ASSIGN(auto metric,
                                 host.counter("calls_total", "Toss API calls by method and outcome",
                                              std::string("method=\"") + method + "\",outcome=\"" +
                                                  outcome + "\""));
                calls_.emplace(std::string(method) + "/" + outcome, metric);
            }
        }
        for (const char* result : {"valid", "signature", "timestamp", "malformed"}) {
            ADMIT_TRY_ASSIGN(auto metric,
                             host.counter("webhooks_total", "Webhooks verified, by result",
                                          std::string("result=\"") + result + "\""));
            webhooks_.emplace(result, metric);
        }
        ADMIT_TRY(host.provide("toss.confirm", call(&TossApi::confirm, "confirm")));
        ADMIT_TRY(host.provide("toss.cancel", call(&TossApi::cancel, "cancel")));
        ADMIT_TRY(host.provide("toss.query", call(&TossApi::query, "query")));
        ADMIT_TRY(host.provide("toss.checkout",
                               [this](const boost::json::value& input,
                                      const sdk::Principal&) -> sdk::Result<boost::json::value> {
                                   if (!input.is_object())
                                       return sdk::Error::invalid("input must be a JSON object");
                                   ADMIT_TRY_ASSIGN(auto out, api_->checkout(input.as_object()));
                                   return boost::json::value(std::move(out));
                               }));
        ADMIT_TRY(host.provide("toss.verify_webhook",
                               [this](const boost::json::value& input, const sdk::Principal&) {
                                   return verify_webhook(input);
                               }));
        host.info("toss adapter for ", api_->config().base_url);
        return {};
    }

  private:
    using ApiMethod = sdk::Result<object> (TossApi::*)(const object&) const;

    sdk::ServiceMethod call(ApiMethod method, std::string name) {
        return [this, method, name](const boost::json::value& input,
                                    const sdk::Principal&) -> sdk::Result<boost::json::value> {
            if (!input.is_object()) {
                count(name, "INVALID");
                return sdk::Error::invalid("input must be a JSON object");
            }
            auto answer = ((*api_).*method)(input.as_object());
            if (!answer) {
                count(name, answer.error().is_invalid() ? "INVALID" : "UNAVAILABLE");
                if (!answer.error().is_invalid())
                    host_->warn("toss.", name, ": ", answer.error().message);
                return std::move(answer).error();
            }
            const auto* outcome = answer->if_contains("outcome");
            if (outcome != nullptr && outcome->is_string()) {
                count(name, std::string(outcome->as_string()));
                if (outcome->as_string() == "UNKNOWN")
                    host_->warn("toss.", name, ": outcome UNKNOWN (the provider must be queried)");
            }
            return boost::json::value(std::move(answer.value()));
        };
    }

    sdk::Result<boost::json::value> verify_webhook(const boost::json::value& input) {
        if (!input.is_object()) return sdk::Error::invalid("input must be a JSON object");
        const auto& in = input.as_object();
        const auto* headers = in.if_contains("headers");
        const auto* body = in.if_contains("body");
        if (headers == nullptr || !headers->is_object() || body == nullptr || !body->is_string())
            return sdk::Error::invalid("verify_webhook needs {headers: {...}, body: \"...\"}");
        std::map<std::string, std::string> lower;
        for (const auto& [name, value] : headers->as_object()) {
            if (!value.is_string()) continue;
            std::string key(name);
            for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            lower[key] = std::string(value.as_string());
        }
        object verdict = verifier_->verify(lower, std::string(body->as_string()), host_->now_us());
        const bool valid = verdict.at("valid").as_bool();
        const std::string result = valid ? "valid" : std::string(verdict.at("reason").as_string());
        if (auto found = webhooks_.find(result); found != webhooks_.end()) found->second.add(1);
        if (!valid) host_->warn("toss: webhook refused (", result, ")");
        return boost::json::value(std::move(verdict));
    }

    void count(const std::string& method, const std::string& outcome) {
        if (auto found = calls_.find(method + "/" + outcome); found != calls_.end())
            found->second.add(1);
    }

    sdk::Host* host_ = nullptr;
    std::unique_ptr<TossApi> api_;
    std::unique_ptr<WebhookVerifier> verifier_;
    std::map<std::string, sdk::Metric> calls_;
    std::map<std::string, sdk::Metric> webhooks_;
};

}  // namespace admit::toss

ADMIT_PLUGIN(toss, admit::toss::TossPlugin, "0.1.0");

#include "simulator.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "checkout_page.hpp"
#include "crypto.hpp"
#include "payment_json.hpp"
#include "reply.hpp"
#include "sim_routes.hpp"
#include "toss_routes.hpp"

namespace admit::paysim {

Simulator::Simulator(StartupConfig config, Secrets secrets, HttpPoster& poster)
    : startup_(std::move(config)),
      secrets_(std::move(secrets)),
      expected_authorization_("Basic " + base64_encode(secrets_.api_secret_key + ":")),
      config_(startup_.runtime),
      chaos_(startup_.seed),
      webhooks_(config_, chaos_, stats_, poster, secrets_.webhook_secret),
      ledger_([this](const Payment& p) { record_payment(p); }),
      idempotency_([this](const std::string& scope, const StoredResponse& r) {
          if (journal_) {
              journal_->append(boost::json::serialize(boost::json::object{{"type", "idempotency"},
                                                                          {"scope", scope},
                                                                          {"status", r.status},
                                                                          {"body", r.body}}));
          }
      }) {
    if (!startup_.journal_path.empty()) {
        replayed_ = Journal::replay(startup_.journal_path, [&](const boost::json::object& rec) {
            auto* type = rec.if_contains("type");
            if (type && type->is_string() && type->as_string() == "payment") {
                auto* body = rec.if_contains("payment");
                auto p = body && body->is_object() ? payment_from_record(body->as_object())
                                                   : std::nullopt;
                if (!p) throw std::runtime_error("journal: a payment record has missing fields");
                ledger_.restore(std::move(*p));
            } else if (type && type->is_string() && type->as_string() == "idempotency") {
                idempotency_.restore(std::string(rec.at("scope").as_string()),
                                     StoredResponse{static_cast<int>(rec.at("status").as_int64()),
                                                    std::string(rec.at("body").as_string())});
            } else {
                throw std::runtime_error("journal: a record has an unknown type");
            }
        });
        journal_ = std::make_unique<Journal>(startup_.journal_path);
        auto totals = ledger_.totals();
        spdlog::info("journal {}: replayed {} records, {} payments (charged {}, refunded {})",
                     startup_.journal_path, replayed_, totals.payments, totals.charged,
                     totals.refunded);
    }
}

Simulator::~Simulator() { stop(); }

void Simulator::start() { webhooks_.start(); }

void Simulator::stop() {
    webhooks_.stop();
    if (journal_) journal_->flush();
}

void Simulator::record_payment(const Payment& p) {
    if (journal_) {
        journal_->append(boost::json::serialize(
            boost::json::object{{"type", "payment"}, {"payment", payment_record_json(p)}}));
    }
    webhooks_.payment_changed(p);
}

bool Simulator::authorized(const std::string& header) const {
    return !secrets_.api_secret_key.empty() && constant_time_equal(header, expected_authorization_);
}

bool Simulator::is_control_path(std::string_view path) {
    return path == "/healthz" || path.rfind("/sim/", 0) == 0;
}

void Simulator::on_config_change(std::function<void(const RuntimeConfig&)> listener) {
    config_listener_ = std::move(listener);
}

void Simulator::notify_config_changed() {
    if (config_listener_) config_listener_(*config_.get());
}

SimReply Simulator::handle(const SimRequest& request) {
    bump(stats_.requests);
    try {
        if (request.path.rfind("/v1/", 0) == 0) return handle_toss(*this, request);
        if (request.path == "/checkout" || request.path.rfind("/checkout/", 0) == 0) {
            return handle_checkout(*this, request);
        }
        return handle_sim(*this, request);
    } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", request.method, request.path, e.what());
        return error_reply(500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "internal error");
    }
}

}  // namespace admit::paysim

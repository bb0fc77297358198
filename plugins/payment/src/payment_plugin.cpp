// The payment plugin: routes, the saga's subscribers, the refund and reconciliation jobs.
// See plugins/payment/README.md for the states, the saga and what is guaranteed.
#include "payment_contracts.hpp"
#include "payment_ledger.hpp"
#include "payment_saga.hpp"
#include "payment_settings.hpp"
#include "payment_store.hpp"
#include "provider_client.hpp"
#include "purchase_flow.hpp"
#include "reconciler.hpp"
#include "webhook_receiver.hpp"

#include <admit/sdk.hpp>

#include <memory>

namespace admit::payment {

using sdk::Error;
using sdk::Request;
using sdk::Response;
using sdk::Status;
namespace fields = sdk::fields;

namespace {

bool sees_all(const sdk::Principal& principal) {
    return principal.has_role("admin") || principal.has_role("staff");
}

const char* const kStatuses[] = {"READY",   "IN_PROGRESS",        "APPROVED", "FAILED",
                                 "UNKNOWN", "PARTIALLY_REFUNDED", "REFUNDED"};

}  // namespace

/// Config ([plugin.payment]): provider ("toss"), success_url, fail_url, hold_protection_ms
/// (120000), in_progress_timeout_ms (60000), reconcile_interval_ms (300000), reconcile_batch
/// (200), refund_retry_ms (60000).
class PaymentPlugin final : public sdk::Plugin {
  public:
    Status init(sdk::Host& host) override {
        host_ = &host;
        settings_.provider = host.config_string("provider", settings_.provider);
        settings_.success_url = host.config_string("success_url", settings_.success_url);
        settings_.fail_url = host.config_string("fail_url", settings_.fail_url);
        settings_.hold_protection_ms =
            host.config_int("hold_protection_ms", settings_.hold_protection_ms);
        settings_.in_progress_timeout_ms =
            host.config_int("in_progress_timeout_ms", settings_.in_progress_timeout_ms);
        settings_.reconcile_interval_ms =
            host.config_int("reconcile_interval_ms", settings_.reconcile_interval_ms);
        settings_.reconcile_batch =
            std::max<int64_t>(1, host.config_int("reconcile_batch", settings_.reconcile_batch));
        settings_.refund_retry_ms = host.config_int("refund_retry_ms", settings_.refund_retry_ms);
        if (settings_.provider.empty()) return Error::invalid("plugin.payment.provider is empty");

        ADMIT_TRY_ASSIGN(metrics_.approved,
                         host.counter("approved_total", "Payments approved by the provider"));
        ADMIT_TRY_ASSIGN(metrics_.failed, host.counter("failed_total", "Payments failed"));
        ADMIT_TRY_ASSIGN(
            metrics_.unknown,
            host.counter("unknown_total", "Confirmations the provider left unanswered"));
        ADMIT_TRY_ASSIGN(metrics_.refunded, host.counter("refunds_total", "Refunds executed"));
        ADMIT_TRY_ASSIGN(metrics_.mismatches,
                         host.counter("reconciliation_mismatches_total",
                                      "Differences between our payments and the provider's"));
        ADMIT_TRY_ASSIGN(
            metrics_.confirm_seconds,
            host.histogram("provider_confirm_seconds", "Time of the provider's confirm call"));

        store_ = std::make_unique<PaymentStore>(host.db());
        ledger_ = std::make_unique<PaymentLedger>(host);
        provider_ = std::make_unique<ProviderClient>(host, settings_.provider);
        saga_ = std::make_unique<PaymentSaga>(host, *store_, *ledger_, *provider_);
        flow_ = std::make_unique<PurchaseFlow>(host, *store_, *ledger_, *saga_, *provider_,
                                               settings_, metrics_);
        webhooks_ = std::make_unique<WebhookReceiver>(host, *store_, *ledger_, *saga_, *provider_,
                                                      metrics_);
        reconciler_ = std::make_unique<Reconciler>(host, *store_, *ledger_, *saga_, *provider_,
                                                   settings_, metrics_);

        ADMIT_TRY(host.register_migrations());
        ADMIT_TRY(register_routes(host));
        ADMIT_TRY(register_saga(host));
        ADMIT_TRY(host.delayed_job("execute_refund", [this](std::string_view refund_id) -> Status {
            auto s = saga_->execute_refund(std::string(refund_id));
            if (s) metrics_.refunded.add();
            return s;
        }));
        return host.periodic_job("reconcile",
                                 std::chrono::milliseconds(settings_.reconcile_interval_ms),
                                 [this]() -> Status {
                                     auto report = reconciler_->run_pass();
                                     if (!report) return std::move(report).error();
                                     return {};
                                 });
    }

  private:
    Status register_routes(sdk::Host& host) {
        ADMIT_TRY(host.route("POST", "/api/v1/payments/prepare", "authenticated",
                             [this](const Request& r) { return flow_->prepare(r); },
                             {.rate_category = "booking",
                              .summary = "Prepares the payment of one of the caller's reservations",
                              .operation_id = "preparePayment",
                              .contract = contracts::prepare()}));
        ADMIT_TRY(
            host.route("POST", "/api/v1/payments/confirm", "authenticated",
                       [this](const Request& r) { return flow_->confirm(r); },
                       {.rate_category = "booking",
                        .summary = "Confirms a payment at the provider with the amount we expect",
                        .operation_id = "confirmPayment",
                        .contract = contracts::confirm()}));
        ADMIT_TRY(host.route("POST", "/api/v1/payments/webhooks/{provider}", "public",
                             [this](const Request& r) { return webhooks_->receive(r); },
                             {.summary = "Provider callback (signed; 401 otherwise)",
                              // deduplicated by the provider's event id in PostgreSQL
                              .own_idempotency = true,
                              .operation_id = "receivePaymentWebhook",
                              .contract = contracts::webhook()}));
        ADMIT_TRY(host.route("GET", "/api/v1/payments/{paymentId}", "authenticated",
                             &PaymentPlugin::get, this,
                             {.summary = "One of the caller's payments (admin, staff: any)",
                              .operation_id = "getPayment",
                              .contract = contracts::get()}));
        ADMIT_TRY(host.route("GET", "/api/v1/payments", "authenticated", &PaymentPlugin::list_own,
                             this,
                             {.summary = "The caller's payments, newest first",
                              .operation_id = "listPayments",
                              .contract = contracts::list()}));
        ADMIT_TRY(host.route("POST", "/api/v1/payments/{paymentId}/cancel", "staff,admin",
                             &PaymentPlugin::cancel, this,
                             {.summary = "Refunds an amount of a payment (staff, admin)",
                              .operation_id = "cancelPayment",
                              .contract = contracts::cancel()}));
        ADMIT_TRY(host.route("GET", "/api/v1/admin/payments", "admin", &PaymentPlugin::list_all,
                             this,
                             {.summary = "Every payment; ?status= and ?problem=true filters",
                              .operation_id = "listAllPayments",
                              .contract = contracts::list_all()}));
        return host.route("POST", "/api/v1/admin/payments/reconcile", "admin",
                          [this](const Request&) {
                              auto report = reconciler_->run_pass();
                              if (!report) return Response::from_error(report.error());
                              return Response::json(200, report->json());
                          },
                          {.summary = "Runs one reconciliation pass now",
                           .operation_id = "reconcilePayments",
                           .contract = contracts::reconcile()});
    }

    Status register_saga(sdk::Host& host) {
        auto payment_id_of = [](const sdk::Event& event) -> std::string {
            auto payload = event.json();
            if (!payload || !payload->is_object()) return {};
            const auto* id = payload->as_object().if_contains("paymentId");
            return id && id->is_string() ? std::string(id->as_string()) : std::string{};
        };
        ADMIT_TRY(
            host.subscribe("payment.approved", "payment_confirm_reservation",
                           [this, payment_id_of](sdk::Tx& tx, const sdk::Event& event) -> Status {
                               const auto id = payment_id_of(event);
                               if (id.empty()) return {};
                               auto outcome = saga_->complete_approved(id);
                               if (!outcome) return std::move(outcome).error();
                               // Off the hot path: reconciliation re-runs sagas that never got
                               // here (a parked event, a lost host).
                               return ledger_->mark_saga_completed(tx, id);
                           }));
        ADMIT_TRY(
            host.subscribe("payment.failed", "payment_release_reservation",
                           [this, payment_id_of](sdk::Tx&, const sdk::Event& event) -> Status {
                               const auto id = payment_id_of(event);
                               if (id.empty()) return {};
                               return saga_->complete_failed(id);
                           }));
        return host.subscribe("reservation.cancelled", "payment_refund_cancelled",
                              [this](sdk::Tx& tx, const sdk::Event& event) -> Status {
                                  auto payload = event.json();
                                  if (!payload || !payload->is_object()) return {};
                                  return saga_->on_reservation_cancelled(tx, payload->as_object());
                              });
    }

    Response get(const Request& request) {
        const std::string id(request.param("paymentId"));
        auto found = store_->find(id);
        if (!found) return Response::from_error(found.error());
        const auto principal = request.principal();
        if (!*found || (!sees_all(principal) && (*found)->user_id != principal.subject()))
            return Response::error(404, "NOT_FOUND", "no payment " + id);
        auto body = payment_json(**found);
        auto refunds = host_->db().exec(
            "SELECT id, amount, reason, status, policy_revision, (extract(epoch FROM created_at) "
            "* 1000000)::bigint AS created_us FROM payment.refunds WHERE payment_id = $1 ORDER "
            "BY created_at, id",
            id);
        if (!refunds) return Response::from_error(refunds.error());
        boost::json::array items;
        for (const auto& refund : *refunds) {
            boost::json::object item{
                {"refundId", refund.text("id")},
                {"amount", money(refund.int64("amount").value_or(0), (*found)->currency)},
                {"reason", refund.text("reason")},
                {"status", refund.text("status")},
                {"createdAt", sdk::format_rfc3339(refund.int64("created_us").value_or(0), true)}};
            if (auto revision = refund.text("policy_revision"); !revision.empty())
                item["policyRevision"] = revision;
            items.push_back(std::move(item));
        }
        body["refunds"] = std::move(items);
        return Response::json(200, body);
    }

    Response list(const Request& request, PaymentFilter filter) {
        auto limit = sdk::page_limit(request);
        if (!limit) return Response::from_error(limit.error());
        filter.limit = *limit + 1;
        filter.after = request.query("cursor").value_or("");
        if (filter.after.size() > 100)
            return Response::invalid_request("query parameter 'cursor' is invalid");
        auto rows = store_->list(filter);
        if (!rows) return Response::from_error(rows.error());
        const bool more = static_cast<int64_t>(rows->size()) > *limit;
        if (more) rows->pop_back();
        boost::json::array items;
        for (const auto& row : *rows) items.push_back(payment_json(row));
        boost::json::value next =
            more ? boost::json::value(rows->back().id) : boost::json::value(nullptr);
        return Response::json(200, {{"items", std::move(items)}, {"nextCursor", std::move(next)}});
    }

    Response list_own(const Request& request) {
        return list(request, {.user_id = std::string(request.principal().subject())});
    }

    Response list_all(const Request& request) {
        PaymentFilter filter;
        filter.status = request.query("status").value_or("");
        if (!filter.status.empty() && std::find(std::begin(kStatuses), std::end(kStatuses),
                                                filter.status) == std::end(kStatuses)) {
            return Response::invalid_request("query parameter 'status' is not a payment status");
        }
        const auto problem = request.query("problem").value_or("");
        if (!problem.empty() && problem != "true" && problem != "false")
            return Response::invalid_request("query parameter 'problem' must be true or false");
        filter.problems_only = problem == "true";
        return list(request, filter);
    }

    Response cancel(const Request& request) {
        const std::string id(request.param("paymentId"));
        auto body = request.json_object();
        if (!body) return Response::from_error(body.error());
        const auto* amount_field = body->if_contains("amount");
        auto amount = ProviderClient::amount_of(amount_field);
        if (!amount || *amount <= 0) {
            return Response::invalid_request(
                "field 'amount' must be a positive integer (or {amount, currency})");
        }
        auto reason = fields::required_string(*body, "reason");
        if (!reason) return Response::from_error(reason.error());
        if (reason->size() > 200) return Response::invalid_request("field 'reason' is too long");
        const std::string actor(request.principal().subject());

        std::optional<std::string> refund_id;
        std::optional<Response> refusal;
        auto status = host_->db().transaction([&](sdk::Tx& tx) -> Status {
            auto rows = tx.exec("SELECT " + std::string(payment_columns) +
                                    ", (SELECT COALESCE(sum(amount), 0) FROM payment.refunds r "
                                    "WHERE r.payment_id = p.id AND r.status = 'PENDING')::bigint "
                                    "AS pending FROM payment.payments p WHERE id = $1 FOR UPDATE",
                                id);
            if (!rows) return std::move(rows).error();
            auto payments = parse_payments(*rows);
            if (payments.empty()) {
                refusal = Response::error(404, "NOT_FOUND", "no payment " + id);
                return {};
            }
            const PaymentRow& payment = payments.front();
            if (payment.status != "APPROVED" && payment.status != "PARTIALLY_REFUNDED") {
                refusal = Response::error(409, "INVALID_STATE",
                                          "payment " + id + " is " + payment.status);
                return {};
            }
            const int64_t refundable = payment.approved_amount.value_or(payment.amount) -
                                       payment.refunded_amount -
                                       rows->front().int64("pending").value_or(0);
            if (*amount > refundable) {
                refusal = Response::error(422, "AMOUNT_EXCEEDS_BALANCE",
                                          "at most " + std::to_string(refundable) + " of payment " +
                                              id + " can be refunded");
                return {};
            }
            const std::string staff_id = sdk::new_id("rfd");
            auto requested = ledger_->request_refund(tx, payment,
                                                     {.amount = *amount,
                                                      .reason = "STAFF",
                                                      .cause = "staff:" + staff_id,
                                                      .note = *reason,
                                                      .policy_revision = {},
                                                      .actor = actor});
            if (!requested) return std::move(requested).error();
            refund_id = *requested;
            return {};
        });
        if (!status) return Response::from_error(status.error());
        if (refusal) return *refusal;
        if (refund_id) {
            if (auto s = saga_->execute_refund(*refund_id); !s) {
                host_->warn("staff refund ", *refund_id, " left for retry: ", s.message());
            } else {
                metrics_.refunded.add();
            }
        }
        auto found = store_->find(id);
        if (!found) return Response::from_error(found.error());
        if (!*found) return Response::error(404, "NOT_FOUND", "no payment " + id);
        auto answer = payment_json(**found);
        if (refund_id) answer["refundId"] = *refund_id;
        return Response::json(200, answer);
    }

    sdk::Host* host_ = nullptr;
    PaymentSettings settings_;
    PaymentMetrics metrics_;
    std::unique_ptr<PaymentStore> store_;
    std::unique_ptr<PaymentLedger> ledger_;
    std::unique_ptr<ProviderClient> provider_;
    std::unique_ptr<PaymentSaga> saga_;
    std::unique_ptr<PurchaseFlow> flow_;
    std::unique_ptr<WebhookReceiver> webhooks_;
    std::unique_ptr<Reconciler> reconciler_;
};

}  // namespace admit::payment

ADMIT_PLUGIN(payment, admit::payment::PaymentPlugin, "0.1.0");

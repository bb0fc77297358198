// The reservation plugin: routes, services, the expiry job and the product.cancelled subscriber.
// See plugins/reservation/README.md for the hold algorithm and the consistency argument.
#include "claim_batcher.hpp"
#include "entry_gate.hpp"
#include "hold_service.hpp"
#include "lifecycle_service.hpp"
#include "redis_holds.hpp"
#include "reservation_contracts.hpp"
#include "reservation_store.hpp"
#include "sale_context.hpp"

#include <admit/sdk.hpp>

#include <charconv>
#include <memory>
#include <variant>

namespace admit::reservation {

using sdk::Error;
using sdk::Request;
using sdk::Response;
using sdk::Status;
namespace fields = sdk::fields;

namespace {

/// The "scheduleIds" of a product event (empty when the payload is malformed or has none).
std::vector<std::string> schedule_ids_of(const sdk::Event& event) {
    std::vector<std::string> schedules;
    auto payload = event.json();
    if (!payload || !payload->is_object()) return schedules;
    if (const auto* ids = payload->as_object().if_contains("scheduleIds"); ids && ids->is_array()) {
        for (const auto& id : ids->as_array()) {
            if (id.is_string()) schedules.emplace_back(id.as_string());
        }
    }
    return schedules;
}

}  // namespace

/// Config ([plugin.reservation]): batch_max (512), batch_writers (2), commit_timeout_ms (5000),
/// expiry_interval_ms (1000), expire_batch (500), sale_context_cache_ms (1000).
class ReservationPlugin final : public sdk::Plugin {
  public:
    Status init(sdk::Host& host) override {
        host_ = &host;
        store_ = std::make_unique<ReservationStore>(host.db());
        redis_ = std::make_unique<RedisHolds>(host.redis());
        ClaimBatcher::Metrics batch_metrics;
        ADMIT_TRY_ASSIGN(
            batch_metrics.queued_seconds,
            host.histogram("hold_queued_seconds", "Time a decided hold waited for its batch"));
        ADMIT_TRY_ASSIGN(
            batch_metrics.transaction_seconds,
            host.histogram("hold_batch_seconds", "Time of a batch's transaction, commit included"));
        ADMIT_TRY_ASSIGN(batch_metrics.batches,
                         host.counter("hold_batches_total", "Batches of holds written"));
        ADMIT_TRY_ASSIGN(batch_metrics.holds,
                         host.counter("batched_holds_total", "Holds written in batches"));
        batcher_ = std::make_unique<ClaimBatcher>(
            host.db(), static_cast<std::size_t>(host.config_int("batch_max", 512)),
            static_cast<std::size_t>(host.config_int("batch_writers", 2)),
            [&host](const std::string& message) { host.error(message); }, batch_metrics);
        contexts_ = std::make_unique<SaleContextCache>(
            [&host](const std::string& schedule) {
                return host.call("product.sale_context", {{"scheduleId", schedule}});
            },
            std::chrono::milliseconds(host.config_int("sale_context_cache_ms", 1000)));
        HoldSettings settings;
        settings.commit_timeout =
            std::chrono::milliseconds(host.config_int("commit_timeout_ms", 5000));
        holds_ =
            std::make_unique<HoldService>(host, *redis_, *store_, *batcher_, *contexts_, settings);
        lifecycle_ = std::make_unique<LifecycleService>(
            host, *redis_, *store_, host.config_string("cancel_guard", "ticket.void_reservation"));
        expire_batch_ =
            static_cast<std::size_t>(std::max<int64_t>(1, host.config_int("expire_batch", 500)));
        const std::chrono::milliseconds expiry_interval(
            std::max<int64_t>(1, host.config_int("expiry_interval_ms", 1000)));

        if (auto s = host.register_migrations(); !s) return s;
        if (auto s = redis_->register_scripts(); !s) return s;
        if (auto s = register_routes(host); !s) return s;
        if (auto s = register_services(host); !s) return s;
        // One run keeps expiring while batches come back full, for at most half an interval: the
        // holds of a sale run out together (100,000 general-admission units in a few seconds),
        // and one batch a second gave them back to the sale at 500 a second.
        if (auto s = host.periodic_job(
                "expire_holds", expiry_interval,
                [this, budget = expiry_interval / 2]() -> Status {
                    const auto until = std::chrono::steady_clock::now() + budget;
                    for (;;) {
                        auto expired = lifecycle_->expire_due(expire_batch_);
                        if (!expired) return std::move(expired).error();
                        if (*expired < expire_batch_ || std::chrono::steady_clock::now() >= until)
                            return {};
                    }
                });
            !s)
            return s;
        // A product approved for sale readies its schedules at once, so the sale opens warm
        // instead of its first buyers waiting for the context fetch and the Redis load.
        if (auto s = host.subscribe("product.scheduled", "prime_scheduled_sale",
                                    [this](sdk::Tx&, const sdk::Event& event) -> Status {
                                        for (const auto& schedule : schedule_ids_of(event)) {
                                            if (auto primed = holds_->prime(schedule); !primed)
                                                return primed;
                                        }
                                        return {};
                                    });
            !s)
            return s;
        return host.subscribe("product.cancelled", "release_cancelled_product",
                              [this](sdk::Tx& tx, const sdk::Event& event) -> Status {
                                  const auto schedules = schedule_ids_of(event);
                                  if (schedules.empty())
                                      return {};  // malformed or empty: nothing to do
                                  return lifecycle_->cancel_schedules(tx, schedules);
                              });
    }

    Status start() override {
        batcher_->start();
        // Before holds are accepted: a Redis without state gets a new fencing epoch. Schedules
        // are loaded from PostgreSQL on their first hold (the hold script asks for it).
        if (auto s = holds_->ensure_epoch(); !s)
            host_->warn("redis not ready at start (holds will retry): ", s.message());
        return {};
    }

    void stop() override { batcher_->stop(); }

  private:
    template <class T>
    static Response answer(Transition<T>&& result, int success_status = 200) {
        if (auto* row = std::get_if<T>(&result))
            return Response::json(success_status, reservation_json(*row));
        if (auto* refusal = std::get_if<TransitionError>(&result)) {
            return Response::error(refusal->http_status, refusal->code, refusal->message);
        }
        return Response::from_error(std::get<Error>(result));
    }

    template <class T>
    static sdk::Result<boost::json::value> service_answer(Transition<T>&& result) {
        if (auto* row = std::get_if<T>(&result)) return boost::json::value(reservation_json(*row));
        if (auto* refusal = std::get_if<TransitionError>(&result)) {
            const std::string message = refusal->code + ": " + refusal->message;
            if (refusal->http_status == 404) return Error::not_found(message);
            return Error::conflict(message);
        }
        return std::get<Error>(result);
    }

    static bool is_admin(const sdk::Principal& principal) { return principal.has_role("admin"); }

    /// The owner filter of a caller: empty (any owner) for admins, else the caller.
    static std::string owner_filter(const sdk::Principal& principal) {
        return is_admin(principal) ? std::string{} : std::string(principal.subject());
    }

    Status register_routes(sdk::Host& host) {
        if (auto s = host.route("POST", "/api/v1/reservations", "authenticated",
                                [this](const Request& r) {
                                    if (auto refused = check_entry(*host_, *contexts_, r))
                                        return *refused;
                                    return holds_->create(r);
                                },
                                {.rate_category = "booking",
                                 .summary = "Holds seats or general-admission units",
                                 // a repeated Idempotency-Key returns the first reservation,
                                 // decided in the hold script and UNIQUE in PostgreSQL
                                 .own_idempotency = true,
                                 .operation_id = "createReservation",
                                 .contract = contracts::create()});
            !s)
            return s;
        if (auto s = host.route("GET", "/api/v1/reservations", "authenticated",
                                &ReservationPlugin::list, this,
                                {.summary = "The caller's reservations, newest first",
                                 .operation_id = "listReservations",
                                 .contract = contracts::list()});
            !s)
            return s;
        if (auto s = host.route("GET", "/api/v1/reservations/{reservationId}", "authenticated",
                                &ReservationPlugin::get, this,
                                {.summary = "One of the caller's reservations",
                                 .operation_id = "getReservation",
                                 .contract = contracts::get()});
            !s)
            return s;
        if (auto s = host.route("DELETE", "/api/v1/reservations/{reservationId}", "authenticated",
                                [this](const Request& r) {
                                    return answer(
                                        lifecycle_->release(std::string(r.param("reservationId")),
                                                            owner_filter(r.principal())));
                                },
                                {.rate_category = "booking",
                                 .summary = "Releases a hold before payment",
                                 .operation_id = "releaseReservation",
                                 .contract = contracts::release()});
            !s)
            return s;
        if (auto s = host.route(
                "GET", "/api/v1/reservations/{reservationId}/refund-quote", "authenticated",
                [this](const Request& r) {
                    auto quoted = lifecycle_->refund_quote(std::string(r.param("reservationId")),
                                                           owner_filter(r.principal()));
                    if (auto* done = std::get_if<QuotedRefund>(&quoted)) {
                        return Response::json(200, refund_quote_json(done->reservation, done->quote,
                                                                     host_->now_us()));
                    }
                    if (auto* refusal = std::get_if<TransitionError>(&quoted))
                        return Response::error(refusal->http_status, refusal->code,
                                               refusal->message);
                    return Response::from_error(std::get<Error>(quoted));
                },
                {.summary = "What cancelling a confirmed reservation now would refund",
                 .operation_id = "quoteReservationRefund",
                 .contract = contracts::refund_quote()});
            !s)
            return s;
        return host.route(
            "POST", "/api/v1/reservations/{reservationId}/cancel", "authenticated",
            [this](const Request& r) {
                return answer(lifecycle_->cancel(std::string(r.param("reservationId")),
                                                 owner_filter(r.principal()),
                                                 std::string(r.principal().subject())));
            },
            {.rate_category = "booking",
             .summary = "Cancels a confirmed reservation with the policy refund",
             .operation_id = "cancelReservation",
             .contract = contracts::cancel()});
    }

    Status register_services(sdk::Host& host) {
        auto ids = [](const boost::json::value& input)
            -> sdk::Result<std::pair<std::string, std::string>> {
            if (!input.is_object()) return Error::invalid("input must be an object");
            auto id = fields::required_string(input.as_object(), "reservationId");
            if (!id) return std::move(id).error();
            auto payment = fields::optional_string(input.as_object(), "paymentId");
            if (!payment) return std::move(payment).error();
            return std::make_pair(std::move(*id), payment->value_or(""));
        };
        // The steps the payment plugin drives with a paymentId (confirm, confirm_late,
        // refuse_payment): the same input, the same answer.
        using PaymentStep = Transition<ReservationRow> (LifecycleService::*)(const std::string&,
                                                                             const std::string&);
        auto provide_payment_step = [&](const char* name, PaymentStep step) {
            return host.provide(
                name,
                [this, ids, step](const boost::json::value& input,
                                  const sdk::Principal&) -> sdk::Result<boost::json::value> {
                    auto parsed = ids(input);
                    if (!parsed) return std::move(parsed).error();
                    if (parsed->second.empty())
                        return Error::invalid("field 'paymentId' is required");
                    return service_answer(((*lifecycle_).*step)(parsed->first, parsed->second));
                });
        };
        if (auto s = provide_payment_step("reservation.confirm", &LifecycleService::confirm); !s)
            return s;
        if (auto s =
                provide_payment_step("reservation.confirm_late", &LifecycleService::confirm_late);
            !s)
            return s;
        if (auto s = host.provide(
                "reservation.extend_for_payment",
                [this, ids](const boost::json::value& input,
                            const sdk::Principal&) -> sdk::Result<boost::json::value> {
                    auto parsed = ids(input);
                    if (!parsed) return std::move(parsed).error();
                    if (parsed->second.empty())
                        return Error::invalid("field 'paymentId' is required");
                    auto until = fields::required_string(input.as_object(), "until");
                    if (!until) return std::move(until).error();
                    auto until_us = sdk::parse_rfc3339(*until);
                    if (!until_us) return Error::invalid("field 'until' must be an RFC 3339 time");
                    return service_answer(
                        lifecycle_->extend_for_payment(parsed->first, parsed->second, *until_us));
                });
            !s)
            return s;
        if (auto s = host.provide(
                "reservation.fail_payment",
                [this, ids](const boost::json::value& input,
                            const sdk::Principal&) -> sdk::Result<boost::json::value> {
                    auto parsed = ids(input);
                    if (!parsed) return std::move(parsed).error();
                    return service_answer(lifecycle_->fail_payment(parsed->first, parsed->second));
                });
            !s)
            return s;
        if (auto s = provide_payment_step("reservation.refuse_payment",
                                          &LifecycleService::refuse_payment);
            !s)
            return s;
        return host.provide("reservation.get",
                            [this, ids](const boost::json::value& input,
                                        const sdk::Principal&) -> sdk::Result<boost::json::value> {
                                auto parsed = ids(input);
                                if (!parsed) return std::move(parsed).error();
                                auto found = store_->find(parsed->first);
                                if (!found) return std::move(found).error();
                                if (!*found)
                                    return Error::not_found("no reservation " + parsed->first);
                                return boost::json::value(reservation_json(**found));
                            });
    }

    Response get(const Request& request) {
        const std::string id(request.param("reservationId"));
        auto found = store_->find(id);
        if (!found) return Response::from_error(found.error());
        const auto principal = request.principal();
        if (!*found || (!is_admin(principal) && (*found)->user_id != principal.subject())) {
            return Response::error(404, "NOT_FOUND", "no reservation " + id);
        }
        return Response::json(200, reservation_json(**found));
    }

    Response list(const Request& request) {
        auto page = sdk::page_limit(request);
        if (!page) return Response::from_error(page.error());
        const int64_t limit = *page;
        const std::string cursor = request.query("cursor").value_or("");
        if (cursor.size() > 100)
            return Response::invalid_request("query parameter 'cursor' is invalid");
        auto rows =
            store_->list_for_user(std::string(request.principal().subject()), limit + 1, cursor);
        if (!rows) return Response::from_error(rows.error());
        boost::json::array items;
        const bool more = static_cast<int64_t>(rows->size()) > limit;
        if (more) rows->pop_back();
        for (const auto& row : *rows) items.push_back(reservation_json(row));
        boost::json::value next =
            more ? boost::json::value(rows->back().id) : boost::json::value(nullptr);
        return Response::json(200, {{"items", std::move(items)}, {"nextCursor", std::move(next)}});
    }

    sdk::Host* host_ = nullptr;
    std::unique_ptr<ReservationStore> store_;
    std::unique_ptr<RedisHolds> redis_;
    std::unique_ptr<ClaimBatcher> batcher_;
    std::unique_ptr<SaleContextCache> contexts_;
    std::unique_ptr<HoldService> holds_;
    std::unique_ptr<LifecycleService> lifecycle_;
    std::size_t expire_batch_ = 500;
};

}  // namespace admit::reservation

ADMIT_PLUGIN(reservation, admit::reservation::ReservationPlugin, "0.1.0");

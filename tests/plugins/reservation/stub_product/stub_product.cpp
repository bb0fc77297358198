// stub_product: a test-only stand-in for the product plugin (it is named "product" and built as
// product.so into a folder of its own), so reservation tests do not depend
// on the catalog plugins. It offers product.sale_context for synthetic schedules named by their id:
//   sch_seats_<N>[_tag]   reserved seating, seats seat_1..seat_N (seat_1..seat_<N/5> VIP 150000,
//                         the rest R 100000), on sale
//   sch_ga_<N>[_tag]      general admission, grade grd_ga with <N> units at 50000, on sale
//   sch_closed_<N>[_tag]  like sch_seats but productStatus CLOSED
//   sch_later_<N>[_tag]   like sch_seats but the sale starts in 2099
// A tag containing "queued" adds "queueRequired": true (the waiting room's tests), and a tag
// "...starts<unix seconds>" sets saleStartsAt to that time.
// anything else is ADMIT_E_NOT_FOUND. It also offers test hooks standing in for the payment
// plugin: POST /api/v1/test/reservations/{id}/confirm|fail (admin) call reservation.confirm /
// reservation.fail_payment with paymentId "pay_test"; POST
// /api/v1/test/schedules/{scheduleId}/scheduled (admin) publishes product.scheduled for that one
// schedule, as an approval does; POST /api/v1/test/schedules/{scheduleId}/cancelled (admin)
// publishes product.cancelled for it, as a seller's cancellation does.
#include <admit/sdk.hpp>

#include <charconv>
#include <ctime>
#include <string>

namespace stub_product {

using admit::sdk::Error;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Result;
using admit::sdk::Status;

namespace {

Result<boost::json::value> sale_context(const std::string& schedule_id) {
    std::string_view rest = schedule_id;
    std::string kind;
    for (const char* prefix : {"sch_seats_", "sch_ga_", "sch_closed_", "sch_later_"}) {
        if (rest.starts_with(prefix)) {
            kind = prefix;
            rest.remove_prefix(kind.size());
            break;
        }
    }
    int64_t count = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), count);
    if (kind.empty() || ec != std::errc{} || count < 1 || count > 100000)
        return Error::not_found("no schedule " + schedule_id);
    const bool ga = kind == "sch_ga_";
    boost::json::object context{
        {"scheduleId", schedule_id},
        {"productId", "prd_" + schedule_id},
        {"sellerId", "usr_seller"},
        {"title", "Stub concert"},
        {"productStatus", kind == "sch_closed_" ? "CLOSED" : "ON_SALE"},
        {"category", "CONCERT"},
        {"startsAt", "2099-12-31T19:00:00Z"},
        {"saleStartsAt", kind == "sch_later_" ? "2099-01-01T00:00:00Z" : "2000-01-01T00:00:00Z"},
        {"saleEndsAt", "2099-12-31T18:00:00Z"},
        {"seating", ga ? "GENERAL_ADMISSION" : "RESERVED"}};
    boost::json::array grades, seats;
    if (ga) {
        grades.push_back({{"gradeId", "grd_ga"},
                          {"name", "Standing"},
                          {"price", {{"amount", 50000}, {"currency", "KRW"}}},
                          {"total", count}});
    } else {
        const int64_t vip = std::max<int64_t>(1, count / 5);
        grades.push_back({{"gradeId", "grd_vip"},
                          {"name", "VIP"},
                          {"price", {{"amount", 150000}, {"currency", "KRW"}}},
                          {"total", vip}});
        grades.push_back({{"gradeId", "grd_r"},
                          {"name", "R"},
                          {"price", {{"amount", 100000}, {"currency", "KRW"}}},
                          {"total", count - vip}});
        for (int64_t i = 1; i <= count; ++i) {
            seats.push_back({{"seatId", "seat_" + std::to_string(i)},
                             {"gradeId", i <= vip ? "grd_vip" : "grd_r"},
                             {"label", "A-" + std::to_string(i)}});
        }
    }
    const std::string_view tag(end, static_cast<std::size_t>(rest.data() + rest.size() - end));
    if (tag.find("queued") != std::string_view::npos) context["queueRequired"] = true;
    if (const auto at = tag.find("starts"); at != std::string_view::npos) {
        int64_t starts = 0;
        const char* first = tag.data() + at + 6;
        if (std::from_chars(first, tag.data() + tag.size(), starts).ec == std::errc{}) {
            const auto seconds = static_cast<std::time_t>(starts);
            char text[32];
            std::tm utc{};
            gmtime_r(&seconds, &utc);
            std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
            context["saleStartsAt"] = text;
        }
    }
    context["grades"] = std::move(grades);
    context["seats"] = std::move(seats);
    return boost::json::value(std::move(context));
}

}  // namespace

class StubProduct final : public admit::sdk::Plugin {
  public:
    Status init(admit::sdk::Host& host) override {
        host_ = &host;
        if (auto s = host.provide("product.sale_context",
                                  [](const boost::json::value& input,
                                     const admit::sdk::Principal&) -> Result<boost::json::value> {
                                      if (!input.is_object())
                                          return Error::invalid("input must be an object");
                                      auto id = admit::sdk::fields::required_string(
                                          input.as_object(), "scheduleId");
                                      if (!id) return std::move(id).error();
                                      return sale_context(*id);
                                  });
            !s)
            return s;
        if (auto s =
                host.route("POST", "/api/v1/test/reservations/{reservationId}/confirm", "admin",
                           [this](const Request& r) { return forward("reservation.confirm", r); });
            !s)
            return s;
        if (auto s = host.route(
                "POST", "/api/v1/test/reservations/{reservationId}/fail", "admin",
                [this](const Request& r) { return forward("reservation.fail_payment", r); });
            !s)
            return s;
        if (auto s = host.route("POST", "/api/v1/test/schedules/{scheduleId}/scheduled", "admin",
                                [this](const Request& r) { return announce(r, "SCHEDULED"); });
            !s)
            return s;
        return host.route("POST", "/api/v1/test/schedules/{scheduleId}/cancelled", "admin",
                          [this](const Request& r) { return announce(r, "CANCELLED"); });
    }

  private:
    /// Publishes product.scheduled or product.cancelled for one schedule.
    Response announce(const Request& request, const std::string& status) {
        const std::string schedule(request.param("scheduleId"));
        const std::string topic = status == "CANCELLED" ? "product.cancelled" : "product.scheduled";
        auto published = host_->db().transaction([&](admit::sdk::Tx& tx) -> Status {
            return tx.publish(topic, "prd_" + schedule,
                              {{"productId", "prd_" + schedule},
                               {"status", status},
                               {"scheduleIds", boost::json::array{boost::json::string(schedule)}}});
        });
        if (!published) return Response::from_error(published.error());
        return Response::no_content();
    }
    Response forward(std::string_view method, const Request& request) {
        auto answer = host_->call(
            method, {{"reservationId", request.param("reservationId")}, {"paymentId", "pay_test"}});
        if (!answer) {
            auto response = Response::from_error(answer.error());
            if (response.api_error)
                response.api_error->message = answer.error().message;  // tests want the reason
            return response;
        }
        return Response::json(200, *answer);
    }
    admit::sdk::Host* host_ = nullptr;
};

}  // namespace stub_product

ADMIT_PLUGIN(product, stub_product::StubProduct, "0.0.1-stub");

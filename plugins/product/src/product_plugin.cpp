// product: registration, the seat map routes, the services other plugins call, shared helpers.
#include "product_plugin.hpp"
#include "http_caching.hpp"
#include "product_contracts.hpp"

namespace admit::product {

using admit::sdk::Error;
namespace fields = admit::sdk::fields;

bool may_manage(const Principal& caller, std::string_view seller_id) {
    return caller.has_role("admin") || (caller.authenticated() && caller.subject() == seller_id);
}

bool may_see(const Principal& caller, std::string_view status, std::string_view seller_id) {
    return publicly_visible(status) || may_manage(caller, seller_id);
}

Status ProductPlugin::init(Host& host) {
    host_ = &host;
    currency_ = host.config_string("currency", "KRW");
    facts_ = std::make_unique<FactsCache>(
        host, std::chrono::milliseconds(host.config_int("facts_ttl_ms", 1000)));
    seat_map_ = std::make_unique<SeatMap>(
        host, *facts_, std::chrono::milliseconds(host.config_int("seat_map_ttl_ms", 200)));
    seat_batch_ = std::make_unique<SeatBatch>(
        host, [this](const SeatChange& change) { publish_seat_change(change); });
    relay_ = std::make_unique<SeatStreamRelay>(
        host, *seat_map_, std::chrono::milliseconds(host.config_int("seat_stream_relay_ms", 50)));
    if (auto s = host.register_migrations(); !s) return s;
    if (auto s = seat_map_->register_scripts(); !s) return s;

    struct RouteSpec {
        const char* method;
        const char* path;
        const char* roles;
        Response (ProductPlugin::*handler)(const Request&);
        const char* summary;
        const char* rate;
        const char* operation_id;
        std::string contract;
    };
    const RouteSpec routes[] = {
        {"POST", "/api/v1/products", "seller,admin", &ProductPlugin::create_product,
         "Creates a product (DRAFT)", "", "createProduct", contracts::create_product()},
        {"GET", "/api/v1/products", "public", &ProductPlugin::list_products, "Lists products", "",
         "listProducts", contracts::list_products()},
        {"GET", "/api/v1/products/{productId}", "public", &ProductPlugin::get_product, "A product",
         "", "getProduct", contracts::get_product()},
        {"PATCH", "/api/v1/products/{productId}", "seller,admin", &ProductPlugin::update_product,
         "Edits a DRAFT product", "", "updateProduct", contracts::update_product()},
        {"POST", "/api/v1/products/{productId}/submit", "seller,admin", &ProductPlugin::submit,
         "DRAFT -> PENDING", "", "submitProduct",
         contracts::lifecycle_move("the product, now PENDING review", true)},
        {"POST", "/api/v1/products/{productId}/approve", "admin", &ProductPlugin::approve,
         "PENDING -> SCHEDULED (approved)", "", "approveProduct",
         contracts::lifecycle_move("the product, now SCHEDULED", false)},
        {"POST", "/api/v1/products/{productId}/reject", "admin", &ProductPlugin::reject,
         "PENDING -> DRAFT with a reason", "", "rejectProduct", contracts::reject()},
        {"POST", "/api/v1/products/{productId}/cancel", "seller,admin", &ProductPlugin::cancel,
         "Cancels a product", "", "cancelProduct",
         contracts::lifecycle_move(
             "the product, now CANCELLED; an optional body {reason} is kept as cancelReason",
             false)},
        {"POST", "/api/v1/products/{productId}/schedules", "seller,admin",
         &ProductPlugin::add_schedule, "Adds a performance date", "", "addSchedule",
         contracts::add_schedule()},
        {"GET", "/api/v1/schedules/{scheduleId}/seats", "public", &ProductPlugin::schedule_seats,
         "Seat availability of a schedule", "general", "getSeatMap", contracts::schedule_seats()},
    };
    for (const auto& r : routes) {
        if (auto s = host.route(r.method, r.path, r.roles, r.handler, this,
                                {.rate_category = r.rate,
                                 .summary = r.summary,
                                 .operation_id = r.operation_id,
                                 .contract = r.contract});
            !s)
            return s;
    }
    if (auto s = host.stream(
            "/api/v1/schedules/{scheduleId}/seats/stream", "public", "seats:{scheduleId}",
            "Seat status changes of a schedule (SSE)",
            [this](const Request& r) { return open_seat_stream(r); },
            {.operation_id = "streamSeats", .contract = std::string(contracts::kSeatStream)},
            [this](const Request& r) { relay_->closed(std::string(r.param("scheduleId"))); });
        !s)
        return s;
    if (auto s = host.provide(
            "product.sale_context",
            [this](const boost::json::value& in, const Principal&) { return sale_context(in); });
        !s)
        return s;
    if (auto s = host.provide(
            "product.stage_in_use",
            [this](const boost::json::value& in, const Principal&) { return stage_in_use(in); });
        !s)
        return s;
    // Interactive: buyers watch the seat map's stream for the seats they and others just held.
    if (auto s = host.subscribe(
            "reservation.*", "product.seat_status",
            [this](Tx& tx, const admit::sdk::Event& e) { return on_reservation_event(tx, e); },
            {.interactive = true});
        !s)
        return s;
    return host.periodic_job(
        "sale_transitions",
        std::chrono::milliseconds(host.config_int("transition_interval_ms", 1000)),
        [this] { return run_sale_transitions(); });
}

Status ProductPlugin::start() {
    relay_->start();
    return {};
}

void ProductPlugin::stop() { relay_->stop(); }

Response ProductPlugin::schedule_seats(const Request& request) {
    auto view = seat_map_->view(std::string(request.param("scheduleId")));
    if (!view) return Response::from_error(view.error());
    if (!may_see(request.principal(), view->facts->status, view->facts->seller_id)) {
        return Response::error(
            404, "NOT_FOUND",
            "schedule " + std::string(request.param("scheduleId")) + " does not exist");
    }
    // Polled constantly: a client that has this version gets 304, one that takes gzip gets the
    // bytes compressed once per version, and no one gets a per-request copy.
    const bool gzip = view->gzip_body && accepts_gzip(request.header("accept-encoding"));
    const std::string& etag = gzip ? view->gzip_etag : view->etag;
    Response response;
    response.header("Cache-Control", "no-cache");
    response.header("Vary", "Accept-Encoding");
    response.header("ETag", etag);
    if (etag_matches(request.header("if-none-match"), etag)) {
        response.status = 304;
        return response;
    }
    response.shared_body = gzip ? view->gzip_body : view->body;
    if (gzip) response.header("Content-Encoding", "gzip");
    return response;
}

Result<std::optional<boost::json::value>> ProductPlugin::open_seat_stream(const Request& request) {
    const std::string id(request.param("scheduleId"));
    auto view = seat_map_->view(id);
    if (!view) return std::move(view).error();
    if (!may_see(request.principal(), view->facts->status, view->facts->seller_id)) {
        return Error::not_found("schedule " + id + " does not exist");
    }
    auto snapshot = admit::sdk::parse_json(*view->body, "seat map");
    if (!snapshot) return std::move(snapshot).error();
    // Accepted: from here on the host reports this stream's end to relay_->closed.
    relay_->opened(id, map_version(view->version));
    return std::optional<boost::json::value>(std::move(*snapshot));
}

Result<boost::json::value> ProductPlugin::sale_context(const boost::json::value& input) {
    if (!input.is_object()) return Error::invalid("input must be an object {\"scheduleId\": ...}");
    auto id = fields::required_string(input.as_object(), "scheduleId");
    if (!id) return std::move(id).error();
    auto facts = facts_->get(*id);
    if (!facts) return std::move(facts).error();
    const ScheduleFacts& f = **facts;
    boost::json::array grades;
    for (const auto& g : f.grades) {
        grades.push_back({{"gradeId", g.grade_id},
                          {"name", g.name},
                          {"price", {{"amount", g.price_amount}, {"currency", g.currency}}},
                          {"total", g.total}});
    }
    boost::json::array seats;
    seats.reserve(f.seats.size());
    for (const auto& s : f.seats) {
        seats.push_back({{"seatId", s.seat_id},
                         {"gradeId", f.grades.at(s.grade_index).grade_id},
                         {"label", s.label}});
    }
    return boost::json::value{{"scheduleId", f.schedule_id},
                              {"productId", f.product_id},
                              {"sellerId", f.seller_id},
                              {"title", f.title},
                              {"productStatus", f.status},
                              {"category", f.category},
                              {"startsAt", format_rfc3339(f.starts_at_us)},
                              {"saleStartsAt", format_rfc3339(f.sale_starts_us)},
                              {"saleEndsAt", format_rfc3339(f.sale_ends_us)},
                              {"seating", f.seating},
                              {"queueRequired", f.queue_required},
                              {"grades", std::move(grades)},
                              {"seats", std::move(seats)}};
}

Result<boost::json::value> ProductPlugin::stage_in_use(const boost::json::value& input) {
    if (!input.is_object()) return Error::invalid("input must be an object {\"stageId\": ...}");
    auto id = fields::required_string(input.as_object(), "stageId");
    if (!id) return std::move(id).error();
    auto rows = host_->db().exec(
        "SELECT EXISTS (SELECT 1 FROM product.products WHERE stage_id = $1 AND status NOT IN "
        "('DRAFT', 'CANCELLED', 'COMPLETED')) AS in_use",
        *id);
    if (!rows) return std::move(rows).error();
    return boost::json::value{{"inUse", rows->front().boolean("in_use").value_or(false)}};
}

}  // namespace admit::product

ADMIT_PLUGIN(product, admit::product::ProductPlugin, "1.0.0", ADMIT_DEPENDS("arthall"));

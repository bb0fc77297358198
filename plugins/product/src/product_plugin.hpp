// The product plugin: performances, their sale lifecycle, and seat availability. See ../README.md.
//
// Thread-safety: handlers, the subscriber and the job run concurrently; the caches (FactsCache,
// SeatMap) are thread-safe and are the only mutable state after init.
#pragma once

#include "lifecycle.hpp"
#include "product_input.hpp"
#include "schedule_facts.hpp"
#include "seat_batch.hpp"
#include "seat_map.hpp"
#include "seat_stream_relay.hpp"

#include <admit/sdk.hpp>

#include <memory>
#include <optional>
#include <string>

namespace admit::product {

using admit::sdk::Host;
using admit::sdk::Principal;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Result;
using admit::sdk::Status;
using admit::sdk::Tx;

class ProductPlugin final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override;
    Status start() override;
    void stop() override;

  private:
    // product_routes.cpp
    Response create_product(const Request& request);
    Response list_products(const Request& request);
    Response get_product(const Request& request);
    Response update_product(const Request& request);
    Response add_schedule(const Request& request);
    // transitions.cpp
    Response submit(const Request& request);
    Response approve(const Request& request);
    Response reject(const Request& request);
    Response cancel(const Request& request);
    Response apply_move(const Request& request, Move move);
    Status run_sale_transitions();
    // seat_events.cpp
    Status on_reservation_event(Tx& tx, const admit::sdk::Event& event);
    /// Applies a committed change to the seat map (Redis) and streams it on "seats:{id}" of
    /// every host (through relay_).
    void publish_seat_change(const SeatChange& change);
    // product_plugin.cpp
    Response schedule_seats(const Request& request);
    Result<std::optional<boost::json::value>> open_seat_stream(const Request& request);
    Result<boost::json::value> sale_context(const boost::json::value& input);
    Result<boost::json::value> stage_in_use(const boost::json::value& input);

    /// The product as JSON (with grades and schedules, and per-schedule grade summaries).
    Result<boost::json::object> product_json(const std::string& product_id);
    /// Seats of the stage for reserved grades (arthall.stage_seats); 400-style errors name stageId.
    Result<std::vector<StageSeat>> stage_seats(const std::string& stage_id);
    /// The owner of the hall the stage belongs to (arthall.stage ownerId).
    Result<std::string> stage_owner(const std::string& stage_id);
    /// Writes grades (and their seats) of `product_id` inside `tx`.
    Status write_grades(Tx& tx, const std::string& product_id, const std::string& seating,
                        const std::vector<GradeInput>& grades, const std::vector<StageSeat>& seats);
    /// Loads {status, seller_id} of a product; 404 when it does not exist.
    Result<std::pair<std::string, std::string>> product_owner(const std::string& product_id);

    Host* host_ = nullptr;
    std::string currency_ = "KRW";
    std::unique_ptr<FactsCache> facts_;
    std::unique_ptr<SeatMap> seat_map_;
    std::unique_ptr<SeatBatch> seat_batch_;
    std::unique_ptr<SeatStreamRelay> relay_;
};

/// True when `caller` may see a product of `seller_id` in `status`.
bool may_see(const Principal& caller, std::string_view status, std::string_view seller_id);
/// True when `caller` is an admin or the product's seller.
bool may_manage(const Principal& caller, std::string_view seller_id);
using admit::sdk::page_limit;  // ?limit (default 50, 1..200)

}  // namespace admit::product

// The ticket plugin: tickets issued on reservation.confirmed, signed static and rotating codes,
// QR images, reissue, check-in online and offline, gate kits, expiry. See
// plugins/ticket/README.md for routes, tables, events, config and guarantees.
//
// Threading: handlers, subscribers and jobs run concurrently on host threads; every member is
// either immutable after start() or thread-safe itself.
#pragma once

#include "checkin_rules.hpp"
#include "checkin_service.hpp"
#include "gate_kits.hpp"
#include "pending_voids.hpp"
#include "schedule_directory.hpp"
#include "ticket_issuer.hpp"
#include "ticket_store.hpp"
#include "venue_keys.hpp"

#include <admit/sdk.hpp>

#include <memory>

namespace admit::ticket {

class TicketPlugin final : public sdk::Plugin {
  public:
    sdk::Status init(sdk::Host& host) override;
    sdk::Status start() override;
    void stop() override;

  private:
    sdk::Status register_routes(sdk::Host& host);
    sdk::Status register_admin_routes(sdk::Host& host);
    sdk::Status register_events(sdk::Host& host);

    // Owner routes (ticket_routes.cpp).
    sdk::Response list_mine(const sdk::Request& request);
    sdk::Response get_one(const sdk::Request& request);
    sdk::Response qr_image(const sdk::Request& request, bool png);
    sdk::Response reissue(const sdk::Request& request);
    // Staff and admin routes (staff_routes.cpp).
    sdk::Response check_in(const sdk::Request& request);
    sdk::Response check_out(const sdk::Request& request);
    sdk::Response check_in_batch(const sdk::Request& request);
    sdk::Response gate_kit(const sdk::Request& request);
    sdk::Response schedule_tickets(const sdk::Request& request);
    sdk::Response assign_staff(const sdk::Request& request, bool assign);
    sdk::Response list_staff(const sdk::Request& request);
    sdk::Response list_conflicts(const sdk::Request& request);

    /// The owner's ticket `id`, or the 404 response (also for another owner's ticket).
    sdk::Result<std::optional<TicketRow>> owned(const sdk::Request& request);
    static sdk::Response answer(const sdk::Request& request, CheckinAnswer&& answer);

    sdk::Host* host_ = nullptr;
    std::unique_ptr<VenueKeys> keys_;
    std::unique_ptr<ScheduleDirectory> schedules_;
    std::unique_ptr<TicketStore> store_;
    std::unique_ptr<TicketIssuer> issuer_;
    std::unique_ptr<PendingVoids> pending_voids_;
    std::unique_ptr<GateKits> kits_;
    std::unique_ptr<CheckinRules> rules_;
    std::unique_ptr<AdmissionBatcher> admissions_;
    std::unique_ptr<CheckinService> checkins_;
    std::size_t expire_batch_ = 500;
};

/// The owner's view: the staff view plus the codes, the ticket key seed and the QR links.
boost::json::object owner_ticket_json(const TicketRow& row);

}  // namespace admit::ticket

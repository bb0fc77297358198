// The ticket plugin's registration: config, keys, events, services and the expiry job. Routes
// are in ticket_routes.cpp (owners) and staff_routes.cpp (staff, sellers, admins).
#include "ticket_plugin.hpp"

#include "codes/init.hpp"

#include <cstdlib>

namespace admit::ticket {

namespace {
/// The "scheduleIds" of a product event (empty when the payload has none).
std::vector<std::string> schedule_ids_of(const boost::json::object& payload) {
    std::vector<std::string> schedules;
    if (const auto* ids = payload.if_contains("scheduleIds"); ids && ids->is_array()) {
        for (const auto& id : ids->as_array())
            if (id.is_string()) schedules.emplace_back(id.as_string());
    }
    return schedules;
}

sdk::Result<boost::json::object> payload_of(const sdk::Event& event) {
    auto payload = event.json();
    if (!payload) return std::move(payload).error();
    if (!payload->is_object()) return sdk::Error::invalid("event payload is not an object");
    return std::move(payload->as_object());
}

std::string actor_of(const boost::json::object& payload) {
    const auto* actor = payload.if_contains("actor");
    return actor && actor->is_string() ? std::string(actor->as_string()) : "system";
}
}  // namespace

/// Config ([plugin.ticket]): signing_key_env ("ADMIT_TICKET_SIGNING_KEY"), retired_public_keys
/// ([]), static_codes_allowed (true), doors_open_seconds (10800), duration_seconds (14400),
/// expiry_interval_ms (60000), expire_batch (500), kit_cache_ms (1000), checkin_batch_max (256),
/// checkin_writers (1), staff_scope ("assigned"; staff_access.hpp), verify_cache_entries
/// (100000; venue_signature_cache.hpp).
sdk::Status TicketPlugin::init(sdk::Host& host) {
    host_ = &host;
    ADMIT_TRY(init_ticket_codes());
    const auto config = host.config();
    const std::string env_name = host.config_string("signing_key_env", "ADMIT_TICKET_SIGNING_KEY");
    std::optional<std::string> env_seed;
    if (const char* seed = std::getenv(env_name.c_str()); seed != nullptr && *seed != '\0')
        env_seed = seed;
    std::vector<std::string> retired;
    if (const auto* list = config.if_contains("retired_public_keys")) {
        if (!list->is_array())
            return sdk::Error::invalid("ticket: retired_public_keys must be an array of strings");
        for (const auto& key : list->as_array()) {
            if (!key.is_string())
                return sdk::Error::invalid(
                    "ticket: retired_public_keys must be an array of strings");
            retired.emplace_back(key.as_string());
        }
    }
    keys_ = std::make_unique<VenueKeys>(std::move(env_seed), std::move(retired));
    if (auto s = keys_->check_config(); !s)
        return sdk::Error::invalid("ticket: " + env_name +
                                   " / retired_public_keys: " + s.message());

    bool static_allowed = true;
    if (const auto* flag = config.if_contains("static_codes_allowed")) {
        if (!flag->is_bool())
            return sdk::Error::invalid("ticket: static_codes_allowed must be a boolean");
        static_allowed = flag->as_bool();
    }
    const std::string scope_text = host.config_string("staff_scope", "assigned");
    const auto staff_scope = parse_staff_scope(scope_text);
    if (!staff_scope)
        return sdk::Error::invalid(
            "ticket: staff_scope must be \"assigned\" or "
            "\"unassigned_anywhere\", not \"" +
            scope_text + "\"");
    ScheduleTiming timing{host.config_int("doors_open_seconds", 3 * 3600),
                          host.config_int("duration_seconds", 4 * 3600)};
    if (timing.doors_open_seconds < 0 || timing.duration_seconds < 0)
        return sdk::Error::invalid("ticket: doors_open_seconds and duration_seconds must be >= 0");
    schedules_ = std::make_unique<ScheduleDirectory>(host, timing);
    store_ = std::make_unique<TicketStore>(host.db());
    issuer_ = std::make_unique<TicketIssuer>(host, *keys_, *schedules_);
    pending_voids_ = std::make_unique<PendingVoids>(
        host, *issuer_,
        std::chrono::milliseconds(std::max<int64_t>(0, host.config_int("void_grace_ms", 30000))));
    const std::chrono::milliseconds kit_cache(
        std::max<int64_t>(0, host.config_int("kit_cache_ms", 1000)));
    kits_ = std::make_unique<GateKits>(host, *keys_, *schedules_, static_allowed, kit_cache);
    rules_ = std::make_unique<CheckinRules>(host, *schedules_, kit_cache);
    admissions_ = std::make_unique<AdmissionBatcher>(
        host,
        static_cast<std::size_t>(std::max<int64_t>(1, host.config_int("checkin_batch_max", 256))),
        static_cast<std::size_t>(std::max<int64_t>(1, host.config_int("checkin_writers", 1))),
        *staff_scope);
    checkins_ = std::make_unique<CheckinService>(
        host, *kits_, *rules_, admissions_.get(), *staff_scope,
        static_cast<std::size_t>(
            std::max<int64_t>(16, host.config_int("verify_cache_entries", 100'000))));
    expire_batch_ =
        static_cast<std::size_t>(std::max<int64_t>(1, host.config_int("expire_batch", 500)));

    ADMIT_TRY(host.register_migrations());
    ADMIT_TRY(register_routes(host));
    ADMIT_TRY(register_admin_routes(host));
    ADMIT_TRY(register_events(host));
    ADMIT_TRY(host.provide("ticket.public_keys",
                           [this](const boost::json::value&,
                                  const sdk::Principal&) -> sdk::Result<boost::json::value> {
                               if (!keys_->loaded())
                                   return sdk::Error::unavailable("ticket keys not loaded yet");
                               return boost::json::value{{"keys", keys_->jwks()}};
                           }));
    ADMIT_TRY(host.provide(
        "ticket.void_reservation",
        [this](const boost::json::value& input,
               const sdk::Principal& caller) -> sdk::Result<boost::json::value> {
            const auto* object = input.if_object();
            const auto* id = object ? object->if_contains("reservationId") : nullptr;
            if (id == nullptr || !id->is_string() || id->as_string().empty())
                return sdk::Error::invalid("field 'reservationId' is required");
            // The cancelling user, as the calling plugin names it (service calls come from
            // plugins, never from clients), for the ticket.cancelled events.
            std::string actor = caller.subject().empty() ? "system" : std::string(caller.subject());
            if (const auto* named = object->if_contains("actor");
                named && named->is_string() && !named->as_string().empty())
                actor = std::string(named->as_string());
            Refusal refusal;
            auto voided = issuer_->void_for_cancel(std::string(id->as_string()), actor, refusal);
            if (!voided) return voided.error();
            if (!refusal.code.empty())
                return sdk::Error::conflict(refusal.code + ": " + refusal.message);
            return boost::json::value{{"reservationId", id->as_string()},
                                      {"voided", static_cast<int64_t>(*voided)}};
        }));
    // Voided tickets of a cancellation that never committed are given back (PendingVoids).
    ADMIT_TRY(host.periodic_job(
        "settle_pending_voids",
        std::chrono::milliseconds(std::max<int64_t>(1, host.config_int("void_check_ms", 5000))),
        [this]() -> sdk::Status {
            auto settled = pending_voids_->settle(100);
            if (!settled) return settled.error();
            return {};
        }));
    return host.periodic_job("expire_tickets",
                             std::chrono::milliseconds(std::max<int64_t>(
                                 1, host.config_int("expiry_interval_ms", 60000))),
                             [this]() -> sdk::Status {
                                 auto expired = issuer_->expire_due(expire_batch_);
                                 if (!expired) return expired.error();
                                 return {};
                             });
}

sdk::Status TicketPlugin::start() {
    // Migrations have run: load (or, for the development default, create) the signing keys.
    ADMIT_TRY(keys_->load(host_->db(), host_->now_us()));
    admissions_->start();
    return {};
}

void TicketPlugin::stop() { admissions_->stop(); }

sdk::Status TicketPlugin::register_events(sdk::Host& host) {
    ADMIT_TRY(host.subscribe("reservation.confirmed", "issue_tickets",
                             [this](sdk::Tx& tx, const sdk::Event& event) -> sdk::Status {
                                 auto payload = payload_of(event);
                                 if (!payload) return payload.error();
                                 auto issued = issuer_->issue_confirmed(tx, *payload);
                                 if (!issued) return issued.error();
                                 return {};
                             }));
    ADMIT_TRY(host.subscribe(
        "reservation.cancelled", "cancel_reservation_tickets",
        [this](sdk::Tx& tx, const sdk::Event& event) -> sdk::Status {
            auto payload = payload_of(event);
            if (!payload) return payload.error();
            const auto* id = payload->if_contains("reservationId");
            if (id == nullptr || !id->is_string()) return {};  // malformed: nothing to cancel
            // A product's cancellation reaches the tickets twice (this
            // event and product.cancelled, in either order): both say why.
            const auto* reason = payload->if_contains("reason");
            const bool product_cancelled = reason != nullptr && reason->is_string() &&
                                           reason->as_string() == "PRODUCT_CANCELLED";
            return issuer_->cancel_reservation(
                tx, std::string(id->as_string()),
                product_cancelled ? "PRODUCT_CANCELLED" : "RESERVATION_CANCELLED",
                actor_of(*payload));
        }));
    return host.subscribe("product.cancelled", "cancel_product_tickets",
                          [this](sdk::Tx& tx, const sdk::Event& event) -> sdk::Status {
                              auto payload = payload_of(event);
                              if (!payload) return payload.error();
                              const auto schedules = schedule_ids_of(*payload);
                              if (schedules.empty()) return {};
                              return issuer_->cancel_schedules(tx, schedules, actor_of(*payload));
                          });
}

}  // namespace admit::ticket

ADMIT_PLUGIN(ticket, admit::ticket::TicketPlugin, "0.1.0");

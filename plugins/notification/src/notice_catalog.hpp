// Which events people hear about: the notice (template kind, recipient, essential or not, the
// template's data) an event gives, if any. Pure functions of the event; thread-safe.
#pragma once

#include <admit/sdk.hpp>

#include <optional>
#include <string>
#include <vector>

namespace admit::notification {

struct Notice {
    std::string kind;       ///< template name: "reservation_confirmed", "ticket_issued", ...
    std::string recipient;  ///< the user id the event names ("userId")
    bool essential = true;  ///< non-essential notices respect the e-mail opt-out
    boost::json::object data;
};

/// The topics the catalog knows (subscriptions are made for exactly these).
const std::vector<std::string>& notice_topics();
/// Every template kind notice_for may produce (each needs a template in the default language).
const std::vector<std::string>& notice_kinds();

/// The notice `topic` with `payload` gives; nullopt when the event is not one people hear about
/// (a buyer's own release, a payload without userId). `public_base_url` ("https://tickets.example")
/// makes the links: data gains "ticketUrl" and "qrUrl" for ticket events.
std::optional<Notice> notice_for(std::string_view topic, const boost::json::object& payload,
                                 std::string_view public_base_url);

}  // namespace admit::notification

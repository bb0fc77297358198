#include "pending_voids.hpp"

#include "sql_text.hpp"

#include <string>
#include <vector>

namespace admit::ticket {

sdk::Result<std::size_t> PendingVoids::settle(std::size_t limit) {
    const int64_t cutoff_us =
        host_.now_us() - std::chrono::duration_cast<std::chrono::microseconds>(grace_).count();
    auto rows =
        host_.db().exec("SELECT reservation_id FROM ticket.pending_voids WHERE voided_at < " +
                            sql_time(1) + " ORDER BY voided_at LIMIT $2",
                        cutoff_us, static_cast<int64_t>(limit));
    if (!rows) return std::move(rows).error();
    std::vector<std::string> ids;
    for (const auto& row : *rows) ids.push_back(row.text("reservation_id"));
    std::size_t restored = 0;
    for (const auto& id : ids) {
        auto reservation =
            host_.call("reservation.get", boost::json::object{{"reservationId", id}});
        if (!reservation) {
            if (!reservation.error().is_not_found()) return std::move(reservation).error();
            host_.warn("ticket: pending void of an unknown reservation ", id, " is left as is");
            continue;
        }
        const auto* object = reservation->if_object();
        const auto* status = object ? object->if_contains("status") : nullptr;
        if (status == nullptr || !status->is_string() || status->as_string() != "CONFIRMED")
            continue;  // cancelled: reservation.cancelled settles it
        auto given_back = issuer_.restore_voided(id, cutoff_us);
        if (!given_back) return std::move(given_back).error();
        if (*given_back > 0) {
            ++restored;
            host_.warn("ticket: the cancellation of reservation ", id, " never completed; its ",
                       *given_back, " voided ticket(s) are valid again");
        }
    }
    return restored;
}

}  // namespace admit::ticket

// Rows of ticket.tickets and the read queries over them. Writes that change a ticket's state
// live with the code that publishes the matching event (issuer, check-in), inside their
// transactions. Thread-safe (stateless apart from the Database handle, which is thread-safe).
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace admit::ticket {

struct TicketRow {
    std::string id;
    std::string reservation_id;
    std::string unit_key;
    std::string schedule_id;
    std::string product_id;
    std::string user_id;
    std::string seat_id;     ///< empty for general admission
    std::string seat_label;  ///< empty for general admission
    std::string grade_id;
    std::string grade_name;
    std::string status;  ///< ISSUED, USED, CANCELLED, EXPIRED
    int issue = 0;
    std::string kid;
    std::string signed_ticket;  ///< base45
    std::string ticket_seed;    ///< base64url (a secret of the owner)
    std::string static_code;    ///< base45
    std::string status_reason;
    std::string used_gate;
    std::string used_by;
    int64_t valid_from_us = 0;
    int64_t valid_until_us = 0;
    int64_t created_us = 0;
    std::optional<int64_t>
        used_us;          ///< the last entry's time (used_gate, used_by: its gate, staff)
    bool inside = false;  ///< entered and not exited since (AFTER_EXIT)
    int entries = 0;      ///< entries so far (1 for an admitted ticket under NONE)
    std::optional<int64_t> entry_day;  ///< venue-local day number of the last entry
};

/// The SELECT list (table alias `t`) that parse_tickets() reads.
std::string ticket_columns();
/// The same without the codes and the ticket key seed (kid, signed_ticket, ticket_seed,
/// static_code stay empty): enough for the staff view, and a quarter of the bytes.
std::string staff_ticket_columns();
std::vector<TicketRow> parse_tickets(const sdk::Rows& rows);

/// Counts per status of one schedule's tickets.
using StatusCounts = std::map<std::string, int64_t>;

class TicketStore {
  public:
    explicit TicketStore(sdk::Database& db) : db_(db) {}

    sdk::Result<std::optional<TicketRow>> find(const std::string& id);
    /// The tickets of `user_id`, ordered by id, after `cursor` (an id; empty = from the start).
    sdk::Result<std::vector<TicketRow>> list_for_user(const std::string& user_id, int64_t limit,
                                                      const std::string& cursor);
    /// The tickets of a schedule ordered by id, optionally of one status.
    sdk::Result<std::vector<TicketRow>> list_for_schedule(const std::string& schedule_id,
                                                          const std::string& status, int64_t limit,
                                                          const std::string& cursor);
    sdk::Result<StatusCounts> counts(const std::string& schedule_id);

  private:
    sdk::Database& db_;
};

}  // namespace admit::ticket

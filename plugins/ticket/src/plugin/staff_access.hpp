// Which schedules a staff member may work at (check in, upload offline scans, fetch gate kits):
// the rule of config `staff_scope`, written once as SQL so every statement applies the same rule.
//
//   assigned (default)       staff work only at schedules an admin assigned them to
//                            (PUT /api/v1/admin/schedules/{id}/staff/{userId});
//   unassigned_anywhere      the older rule: a staff member with no assignment at all works
//                            everywhere, one with assignments only there.
//
// Admins are never limited (callers pass `limited = false` for them). Pure functions.
#pragma once

#include <admit/sdk.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace admit::ticket {

enum class StaffScope { assigned, unassigned_anywhere };

/// "assigned" / "unassigned_anywhere" -> the scope; nullopt for anything else.
inline std::optional<StaffScope> parse_staff_scope(std::string_view text) {
    if (text == "assigned") return StaffScope::assigned;
    if (text == "unassigned_anywhere") return StaffScope::unassigned_anywhere;
    return std::nullopt;
}

/// A SQL boolean expression: staff member `user` (an SQL expression) may work at schedule
/// `schedule` (an SQL expression) under `scope`.
inline std::string staff_may_work_sql(std::string_view user, std::string_view schedule,
                                      StaffScope scope) {
    std::string sql =
        "(EXISTS (SELECT 1 FROM ticket.staff_schedules sa WHERE sa.user_id = " + std::string(user) +
        " AND sa.schedule_id = " + std::string(schedule) + ")";
    if (scope == StaffScope::unassigned_anywhere) {
        sql += " OR NOT EXISTS (SELECT 1 FROM ticket.staff_schedules sn WHERE sn.user_id = " +
               std::string(user) + ")";
    }
    return sql + ")";
}

}  // namespace admit::ticket

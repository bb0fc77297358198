#include "gate_kit.hpp"

#include <admit/sdk/time_text.hpp>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <tuple>

namespace admit::ticket {
namespace {

using sdk::Error;

std::string rfc3339(int64_t unix_seconds) { return sdk::format_rfc3339(unix_seconds * 1'000'000); }

sdk::Result<const boost::json::value*> member(const boost::json::object& object,
                                              std::string_view name, std::string_view where) {
    const auto* value = object.if_contains(name);
    if (value == nullptr)
        return Error::invalid(std::string(where) + std::string(name) + " is missing");
    return value;
}

sdk::Result<std::string> string_member(const boost::json::object& object, std::string_view name,
                                       std::string_view where) {
    auto value = member(object, name, where);
    if (!value) return std::move(value).error();
    if (!(*value)->is_string() || (*value)->get_string().empty()) {
        return Error::invalid(std::string(where) + std::string(name) +
                              " must be a non-empty string");
    }
    return std::string((*value)->get_string());
}

sdk::Result<int64_t> time_member(const boost::json::object& object, std::string_view name,
                                 std::string_view where) {
    auto text = string_member(object, name, where);
    if (!text) return std::move(text).error();
    const auto micros = sdk::parse_rfc3339(*text);
    if (!micros) return Error::invalid(std::string(where) + std::string(name) + " is not RFC 3339");
    return *micros >= 0 ? *micros / 1'000'000 : -((-*micros + 999'999) / 1'000'000);
}

sdk::Result<Revocation> parse_revocation(const boost::json::object& entry) {
    auto reason = string_member(entry, "reason", "revoked[].");
    if (!reason) return std::move(reason).error();
    if (*reason == "cancelled") return Revocation{Revocation::Kind::cancelled, 0};
    if (*reason == "revoked") return Revocation{Revocation::Kind::revoked, 0};
    if (*reason != "reissued") return Error::invalid("revoked[].reason " + *reason + " is unknown");
    const auto* issue = entry.if_contains("validIssue");
    if (issue == nullptr || !issue->is_int64() || issue->get_int64() < 1 ||
        issue->get_int64() > 255) {
        return Error::invalid("revoked[].validIssue must be 1..255 for a reissued ticket");
    }
    return Revocation{Revocation::Kind::reissued, static_cast<uint8_t>(issue->get_int64())};
}

std::string_view revocation_reason(Revocation::Kind kind) {
    switch (kind) {
        case Revocation::Kind::cancelled:
            return "cancelled";
        case Revocation::Kind::reissued:
            return "reissued";
        case Revocation::Kind::revoked:
            break;
    }
    return "revoked";
}

}  // namespace

std::vector<const VenuePublicKey*> GateKit::keys_with(const ShortKeyId& id) const {
    std::vector<const VenuePublicKey*> found;
    for (const auto& key : keys) {
        if (key.short_id == id) found.push_back(&key);
    }
    return found;
}

int64_t kit_day_of(const GateKit& kit, int64_t unix_seconds) noexcept {
    const int64_t local = unix_seconds + int64_t{kit.utc_offset_minutes} * 60 -
                          int64_t{kit.day_starts_at_hour} * 3600;
    return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

boost::json::object gate_kit_json(const GateKit& kit) {
    boost::json::object schedule{{"scheduleId", kit.schedule_id},
                                 {"validFrom", rfc3339(kit.valid_from)},
                                 {"validUntil", rfc3339(kit.valid_until)},
                                 {"staticCodesAllowed", kit.static_codes_allowed},
                                 {"reentry", kit.reentry},
                                 {"utcOffsetMinutes", kit.utc_offset_minutes},
                                 {"dayStartsAtHour", kit.day_starts_at_hour}};
    if (!kit.title.empty()) schedule["title"] = kit.title;
    boost::json::array keys;
    for (const auto& key : kit.keys) keys.push_back(key.jwk());
    // Sorted, so the same kit always serialises to the same text.
    std::vector<std::pair<std::string, Revocation>> sorted(kit.revoked.begin(), kit.revoked.end());
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    boost::json::array revoked;
    for (const auto& [ticket_id, revocation] : sorted) {
        boost::json::object entry{{"ticketId", ticket_id},
                                  {"reason", revocation_reason(revocation.kind)}};
        if (revocation.kind == Revocation::Kind::reissued)
            entry["validIssue"] = revocation.valid_issue;
        revoked.push_back(std::move(entry));
    }
    boost::json::object json{{"kitVersion", kGateKitVersion},
                             {"issuedAt", rfc3339(kit.issued_at)},
                             {"schedule", std::move(schedule)},
                             {"keys", std::move(keys)},
                             {"revoked", std::move(revoked)}};
    if (!kit.vouched.empty()) json["vouched"] = kit.vouched.to_json();
    return json;
}

sdk::Result<GateKit> parse_gate_kit(std::string_view json_text) {
    boost::system::error_code error;
    const boost::json::value json = boost::json::parse(json_text, error);
    if (error) return Error::invalid("gate kit is not JSON: " + error.message());
    return gate_kit_from_json(json);
}

sdk::Result<GateKit> gate_kit_from_json(const boost::json::value& json) {
    if (!json.is_object()) return Error::invalid("gate kit is not a JSON object");
    const auto& root = json.get_object();
    const auto* version = root.if_contains("kitVersion");
    if (version == nullptr || !version->is_int64() || version->get_int64() != kGateKitVersion) {
        return Error::invalid("kitVersion must be " + std::to_string(kGateKitVersion));
    }
    GateKit kit;
    auto issued_at = time_member(root, "issuedAt", "");
    if (!issued_at) return std::move(issued_at).error();
    kit.issued_at = *issued_at;

    const auto* schedule_value = root.if_contains("schedule");
    if (schedule_value == nullptr || !schedule_value->is_object()) {
        return Error::invalid("schedule must be an object");
    }
    const auto& schedule = schedule_value->get_object();
    auto schedule_id = string_member(schedule, "scheduleId", "schedule.");
    if (!schedule_id) return std::move(schedule_id).error();
    kit.schedule_id = std::move(*schedule_id);
    if (const auto* title = schedule.if_contains("title"); title != nullptr && title->is_string()) {
        kit.title = std::string(title->get_string());
    }
    auto valid_from = time_member(schedule, "validFrom", "schedule.");
    if (!valid_from) return std::move(valid_from).error();
    auto valid_until = time_member(schedule, "validUntil", "schedule.");
    if (!valid_until) return std::move(valid_until).error();
    if (*valid_from > *valid_until) return Error::invalid("schedule.validFrom is after validUntil");
    kit.valid_from = *valid_from;
    kit.valid_until = *valid_until;
    const auto* allowed = schedule.if_contains("staticCodesAllowed");
    if (allowed == nullptr || !allowed->is_bool()) {
        return Error::invalid("schedule.staticCodesAllowed must be a boolean");
    }
    kit.static_codes_allowed = allowed->get_bool();
    // Re-entry (kits before it have none: one entry).
    if (const auto* reentry = schedule.if_contains("reentry"); reentry != nullptr) {
        if (!reentry->is_string() ||
            (reentry->get_string() != "NONE" && reentry->get_string() != "ONCE_PER_DAY" &&
             reentry->get_string() != "AFTER_EXIT"))
            return Error::invalid(
                "schedule.reentry must be \"NONE\", \"ONCE_PER_DAY\" or \"AFTER_EXIT\"");
        kit.reentry = std::string(reentry->get_string());
    }
    for (auto [field, target, low, high] :
         {std::tuple{"utcOffsetMinutes", &kit.utc_offset_minutes, -840, 840},
          std::tuple{"dayStartsAtHour", &kit.day_starts_at_hour, 0, 23}}) {
        const auto* value = schedule.if_contains(field);
        if (value == nullptr) continue;
        if (!value->is_int64() || value->get_int64() < low || value->get_int64() > high)
            return Error::invalid("schedule." + std::string(field) + " must be an integer " +
                                  std::to_string(low) + ".." + std::to_string(high));
        *target = static_cast<int>(value->get_int64());
    }

    const auto* keys = root.if_contains("keys");
    if (keys == nullptr || !keys->is_array()) return Error::invalid("keys must be an array");
    for (const auto& entry : keys->get_array()) {
        if (!entry.is_object()) return Error::invalid("keys[] must be JWK objects");
        if (!is_ticket_jwk(entry.get_object())) continue;
        auto key = VenuePublicKey::from_jwk(entry.get_object());
        if (!key) return Error::invalid("keys[]: " + key.error().message);
        kit.keys.push_back(std::move(*key));
    }
    if (kit.keys.empty()) return Error::invalid("keys has no ticket key");

    const auto* revoked = root.if_contains("revoked");
    if (revoked == nullptr || !revoked->is_array())
        return Error::invalid("revoked must be an array");
    for (const auto& entry : revoked->get_array()) {
        if (!entry.is_object()) return Error::invalid("revoked[] must be objects");
        auto ticket_id = string_member(entry.get_object(), "ticketId", "revoked[].");
        if (!ticket_id) return std::move(ticket_id).error();
        auto revocation = parse_revocation(entry.get_object());
        if (!revocation) return std::move(revocation).error();
        kit.revoked[std::move(*ticket_id)] = *revocation;
    }
    if (const auto* vouched = root.if_contains("vouched"); vouched != nullptr) {
        if (!vouched->is_array()) return Error::invalid("vouched must be an array");
        auto digests = VouchedTickets::from_json(vouched->get_array());
        if (!digests) return std::move(digests).error();
        kit.vouched = std::move(*digests);
    }
    return kit;
}

}  // namespace admit::ticket

#include "gate_kits.hpp"

#include "codes/base45.hpp"

#include <algorithm>

#include <limits>

namespace admit::ticket {

namespace {
constexpr std::size_t kMaxCachedKits = 10'000;
}

GateKit GateKits::base_kit(const ScheduleFacts& facts) const {
    GateKit kit;
    kit.issued_at = host_.now_us() / 1'000'000;
    kit.schedule_id = facts.schedule_id;
    kit.title = facts.title;
    kit.valid_from = facts.valid_from_us / 1'000'000;
    kit.valid_until = facts.valid_until_us / 1'000'000;
    kit.static_codes_allowed = static_codes_allowed_;
    kit.keys = keys_.verifying();
    return kit;
}

sdk::Result<GateKit> GateKits::full_kit(const std::string& schedule_id, bool vouch) {
    auto facts = schedules_.resolve(schedule_id);
    if (!facts) return std::move(facts).error();
    GateKit kit = base_kit(*facts);
    auto rows = host_.db().exec(
        // `revoked` is status = 'CANCELLED' OR issue > 0, indexed (006_hot_checkin.sql).
        "SELECT id, status, issue FROM ticket.tickets WHERE schedule_id = $1 AND revoked",
        schedule_id);
    if (!rows) return std::move(rows).error();
    for (const auto& row : *rows) {
        Revocation revocation;
        if (row.text("status") == "CANCELLED") {
            revocation.kind = Revocation::Kind::cancelled;
        } else {
            revocation.kind = Revocation::Kind::reissued;
            revocation.valid_issue = static_cast<uint8_t>(row.int64("issue").value_or(0));
        }
        kit.revoked[row.text("id")] = revocation;
    }
    if (vouch) ADMIT_TRY(vouch_for_live_tickets(schedule_id, kit));
    return kit;
}

sdk::Status GateKits::vouch_for_live_tickets(const std::string& schedule_id, GateKit& kit) const {
    // `live`: ISSUED or USED, not yet past the expiry job (006_hot_checkin.sql). Revoked issues
    // stay in the revocation list, which the gate checks whether or not a code is vouched for.
    auto rows = host_.db().exec(
        "SELECT kid, signed_ticket FROM ticket.tickets WHERE schedule_id = $1 AND live",
        schedule_id);
    if (!rows) return std::move(rows).error();
    for (const auto& row : *rows) {
        const std::string kid = row.text("kid");
        const auto key = std::find_if(kit.keys.begin(), kit.keys.end(),
                                      [&](const VenuePublicKey& k) { return k.kid == kid; });
        auto bytes = base45_decode(row.text("signed_ticket"));
        if (key == kit.keys.end() || !bytes) continue;  // a retired key: verified in full
        kit.vouched.add(vouch_digest(key->bytes, *bytes));
    }
    return {};
}

sdk::Result<std::shared_ptr<const GateKit>> GateKits::verification_kit(
    const std::string& schedule_id) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        if (auto found = cache_.find(schedule_id);
            found != cache_.end() && found->second.until > now)
            return found->second.kit;
    }
    auto facts = schedules_.find(schedule_id);
    if (!facts) return std::move(facts).error();
    std::shared_ptr<const GateKit> kit;
    if (*facts) {
        kit = std::make_shared<const GateKit>(base_kit(**facts));
    } else {
        ScheduleFacts unknown;
        unknown.schedule_id = schedule_id;
        unknown.valid_until_us =
            static_cast<int64_t>(std::numeric_limits<uint32_t>::max()) * 1'000'000;
        kit = std::make_shared<const GateKit>(base_kit(unknown));
    }
    std::lock_guard lock(mutex_);
    if (cache_.size() >= kMaxCachedKits) cache_.clear();
    cache_[schedule_id] = Cached{kit, now + cache_ttl_};
    return kit;
}

}  // namespace admit::ticket

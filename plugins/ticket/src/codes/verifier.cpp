#include "verifier.hpp"

#include "base45.hpp"
#include "code.hpp"
#include "rotating_code.hpp"

#include <admit/sdk/time_text.hpp>

#include <algorithm>

namespace admit::ticket {
namespace {

Verdict refuse(Reason reason, std::string detail,
               std::optional<TicketFacts> ticket = std::nullopt) {
    return Verdict{false, reason, std::move(detail), std::move(ticket)};
}

std::string rfc3339(int64_t unix_seconds) { return sdk::format_rfc3339(unix_seconds * 1'000'000); }

/// The key of `kit` that signed `ticket`, or nullptr with the refusal in `verdict`. Only keys
/// of the kit are tried, with or without a cache; only a verified signature is remembered.
const VenuePublicKey* signing_key(const SignedTicket& ticket, const GateKit& kit,
                                  VenueSignatureCache* cache, Verdict& verdict) {
    const auto candidates = kit.keys_with(ticket.payload.key_id);
    if (candidates.empty()) {
        verdict = refuse(Reason::unknown_key,
                         "no key of the kit has this code's key id; fetch a newer kit");
        return nullptr;
    }
    // Verified before (the cache) or vouched for by the kit: no signature check.
    for (const auto* key : candidates) {
        if ((cache != nullptr && cache->contains(key->bytes, ticket.bytes)) ||
            kit.vouched.contains(key->bytes, ticket.bytes))
            return key;
    }
    for (const auto* key : candidates) {
        if (verify_venue_signature(key->bytes, ticket.payload_bytes, ticket.venue_signature)) {
            if (cache != nullptr) cache->remember(key->bytes, ticket.bytes);
            return key;
        }
    }
    verdict = refuse(Reason::signature, "the venue signature does not verify");
    return nullptr;
}

/// The refusal for the facts of an authentic code, if any (schedule, revocation, validity).
std::optional<Verdict> check_facts(const TicketFacts& facts, const GateKit& kit, int64_t now) {
    const TicketPayload& payload = facts.payload;
    if (payload.schedule_id != kit.schedule_id) {
        return refuse(Reason::wrong_schedule, "the ticket is for schedule " + payload.schedule_id,
                      facts);
    }
    if (const auto found = kit.revoked.find(payload.ticket_id); found != kit.revoked.end()) {
        const Revocation& revocation = found->second;
        if (revocation.kind == Revocation::Kind::cancelled) {
            return refuse(Reason::cancelled, "the ticket was cancelled", facts);
        }
        if (revocation.kind == Revocation::Kind::revoked) {
            return refuse(Reason::revoked, "the ticket was revoked", facts);
        }
        if (payload.issue < revocation.valid_issue) {
            return refuse(Reason::revoked,
                          "the ticket was reissued; this code is issue " +
                              std::to_string(payload.issue) + ", valid is " +
                              std::to_string(revocation.valid_issue),
                          facts);
        }
    }
    const int64_t from = std::max<int64_t>(payload.valid_from, kit.valid_from);
    const int64_t until = std::min<int64_t>(payload.valid_until, kit.valid_until);
    if (now < from) return refuse(Reason::not_yet_valid, "valid from " + rfc3339(from), facts);
    if (now > until) return refuse(Reason::expired, "valid until " + rfc3339(until), facts);
    return std::nullopt;
}

}  // namespace

std::string_view reason_name(Reason reason) noexcept {
    switch (reason) {
        case Reason::none:
            return "";
        case Reason::malformed:
            return "malformed";
        case Reason::unknown_key:
            return "unknown_key";
        case Reason::signature:
            return "signature";
        case Reason::window:
            return "window";
        case Reason::wrong_schedule:
            return "wrong_schedule";
        case Reason::cancelled:
            return "cancelled";
        case Reason::revoked:
            return "revoked";
        case Reason::not_yet_valid:
            return "not_yet_valid";
        case Reason::expired:
            return "expired";
    }
    return "";
}

Verdict verify(std::string_view code_text, const GateKit& kit, int64_t now,
               VenueSignatureCache* cache) {
    if (code_text.size() > kMaxCodeBytes * 3 / 2 + 2) {
        return refuse(Reason::malformed, "code longer than any valid code");
    }
    const auto bytes = base45_decode(code_text);
    if (!bytes) return refuse(Reason::malformed, bytes.error().message);
    return verify_bytes(*bytes, kit, now, cache);
}

Verdict verify_bytes(std::span<const uint8_t> code_bytes, const GateKit& kit, int64_t now,
                     VenueSignatureCache* cache) {
    const auto code = parse_code(code_bytes);
    if (!code) return refuse(Reason::malformed, code.error().message);

    Verdict verdict;
    const VenuePublicKey* key = signing_key(code->ticket, kit, cache, verdict);
    if (key == nullptr) return verdict;
    TicketFacts facts{code->ticket.payload, key->kid, std::nullopt};

    if (code->window) {
        facts.window = code->window->window;
        // The cheap freshness test first: a replayed screenshot costs no second verification.
        if (window_age(code->window->window, now) == WindowAge::stale) {
            return refuse(Reason::window,
                          "the code's window is not the current or the previous one", facts);
        }
        if (!verify_window_signature(code->ticket, *code->window)) {
            return refuse(Reason::signature, "the window signature does not verify", facts);
        }
    } else if (!kit.static_codes_allowed) {
        return refuse(Reason::window, "static codes are not admitted here; show the app's code",
                      facts);
    }
    if (auto refusal = check_facts(facts, kit, now)) return std::move(*refusal);
    return Verdict{true, Reason::none, {}, std::move(facts)};
}

boost::json::object verdict_json(const Verdict& verdict) {
    boost::json::object json{{"admitted", verdict.ok}};
    json["reason"] =
        verdict.ok ? boost::json::value(nullptr) : boost::json::value(reason_name(verdict.reason));
    if (!verdict.ok) json["detail"] = verdict.detail;
    if (!verdict.ticket) {
        json["ticket"] = nullptr;
        return json;
    }
    const TicketPayload& payload = verdict.ticket->payload;
    boost::json::object ticket{{"ticketId", payload.ticket_id},
                               {"scheduleId", payload.schedule_id},
                               {"issue", payload.issue},
                               {"validFrom", rfc3339(payload.valid_from)},
                               {"validUntil", rfc3339(payload.valid_until)},
                               {"kid", verdict.ticket->kid},
                               {"kind", verdict.ticket->window ? "rotating" : "static"}};
    if (payload.place_kind != PlaceKind::none)
        ticket[place_kind_name(payload.place_kind)] = payload.place;
    if (verdict.ticket->window) ticket["window"] = *verdict.ticket->window;
    json["ticket"] = std::move(ticket);
    return json;
}

}  // namespace admit::ticket

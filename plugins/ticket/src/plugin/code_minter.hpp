// Makes the codes of one issue of a ticket with the venue signer: the signed ticket that the
// owner's app turns into rotating codes (its payload carries a fresh per-ticket public key), the
// seed of that ticket key (for the owner only), and the static code for printing (no ticket key).
// Pure function of its inputs and fresh randomness; thread-safe.
#pragma once

#include "codes/payload.hpp"
#include "codes/venue_key.hpp"

#include <admit/sdk/result.hpp>

#include <cstdint>
#include <string>

namespace admit::ticket {

/// What a ticket's codes say about it.
struct TicketFace {
    std::string ticket_id;
    std::string schedule_id;
    PlaceKind place_kind = PlaceKind::none;
    std::string place;  ///< seat label or grade name (cut to 64 bytes of UTF-8)
    int issue = 0;      ///< 0..255
    int64_t valid_from_us = 0;
    int64_t valid_until_us = 0;
};

struct MintedCodes {
    std::string signed_ticket;  ///< base45
    std::string ticket_seed;    ///< base64url
    std::string static_code;    ///< base45
    std::string kid;            ///< the signer's JWK kid
};

sdk::Result<MintedCodes> mint_codes(const VenueSigningKey& signer, const TicketFace& face);

}  // namespace admit::ticket

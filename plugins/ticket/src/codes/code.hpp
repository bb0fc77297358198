// The code container: what a QR code holds, as bytes (base45 makes them text).
//
//   signed ticket  = payload || venue signature (64)                 issued by the ticket plugin
//   static code    = a signed ticket whose payload has no ticket key  (printed tickets)
//   rotating code  = a signed ticket whose payload has a ticket key
//                    || window (u32, big-endian) || window signature (64)   made by the app
//
// A payload with a ticket key is never a valid code on its own: it needs the window part, so a
// screenshot of the app's code cannot be stripped down to a static code. Parsing is strict (no
// missing or trailing bytes) and checks structure only; signatures are the verifier's job.
// Pure functions, thread-safe.
#pragma once

#include "byte_io.hpp"
#include "payload.hpp"

#include <admit/sdk/result.hpp>

#include <optional>
#include <span>

namespace admit::ticket {

inline constexpr std::size_t kSignatureBytes = 64;
/// Longest code in bytes (longest payload, two signatures, the window).
inline constexpr std::size_t kMaxCodeBytes = 400;

/// A signed ticket at the front of a byte string. Views into the caller's bytes.
struct SignedTicket {
    TicketPayload payload;
    std::span<const uint8_t> payload_bytes;
    std::span<const uint8_t> venue_signature;
    std::span<const uint8_t> bytes;  ///< payload || venue signature
};

/// The window part of a rotating code. The signature is a view into the caller's bytes.
struct WindowProof {
    uint32_t window = 0;
    std::span<const uint8_t> signature;
};

/// A whole code taken apart; valid while the parsed bytes live.
struct ParsedCode {
    SignedTicket ticket;
    std::optional<WindowProof> window;  ///< present exactly when the payload has a ticket key
};

/// The signed ticket at the start of `bytes` (what follows is left to the caller).
sdk::Result<SignedTicket> parse_signed_ticket(std::span<const uint8_t> bytes);

/// A whole static or rotating code; ADMIT_E_INVALID_ARGUMENT with the reason otherwise
/// ("truncated in venue signature", "rotating code without its window", "N trailing bytes", ...).
sdk::Result<ParsedCode> parse_code(std::span<const uint8_t> bytes);

}  // namespace admit::ticket

// Rotating codes: a per-ticket Ed25519 key pair whose public half is inside the venue-signed
// payload and whose private half only the owner's app holds. The app shows
//   signed ticket || window || Ed25519(ticket secret, "admit-window/1" || window || signed ticket)
// with window = floor(unix_time / 30). A gate accepts the current window and the previous one
// (clock skew), so a screenshot stops working within 30 to 60 seconds.
// Thread-safe; init_ticket_codes() must have run.
#pragma once

#include "code.hpp"
#include "payload.hpp"

#include <admit/sdk/result.hpp>

#include <array>
#include <cstdint>
#include <span>

namespace admit::ticket {

inline constexpr int64_t kWindowSeconds = 30;

/// floor(unix_seconds / 30) (unix_seconds >= 0).
uint32_t window_of(int64_t unix_seconds) noexcept;

/// Where a code's window stands against the gate's clock.
enum class WindowAge { current, previous, stale };
WindowAge window_age(uint32_t code_window, int64_t now) noexcept;

/// A ticket's key pair. Move-only; the secret is wiped when the object dies. The ticket plugin
/// generates one per issued code, puts public_key() in the payload and hands seed() to the
/// owner's app only.
class TicketKeyPair {
  public:
    static TicketKeyPair generate();
    /// The pair of a 32-byte seed (what the app stores); ADMIT_E_INVALID_ARGUMENT otherwise.
    static sdk::Result<TicketKeyPair> from_seed(std::span<const uint8_t> seed);

    TicketKeyPair(TicketKeyPair&& other) noexcept;
    TicketKeyPair& operator=(TicketKeyPair&& other) noexcept;
    TicketKeyPair(const TicketKeyPair&) = delete;
    TicketKeyPair& operator=(const TicketKeyPair&) = delete;
    ~TicketKeyPair();

    const PublicKeyBytes& public_key() const noexcept { return public_; }
    std::array<uint8_t, 32> seed() const;

    /// The rotating code for `now`: `signed_ticket` (payload with this pair's public key, and the
    /// venue signature; as issued) followed by the window part. Refuses a signed ticket that does
    /// not parse or names another ticket key. The venue signature is not checked here.
    sdk::Result<Bytes> rotating_code(std::span<const uint8_t> signed_ticket, int64_t now) const;

  private:
    TicketKeyPair() = default;

    PublicKeyBytes public_{};
    std::array<uint8_t, 64> secret_{};
};

/// Whether `proof` is a valid window signature over `ticket` by the ticket key in its payload.
/// False when the payload has no ticket key.
bool verify_window_signature(const SignedTicket& ticket, const WindowProof& proof);

}  // namespace admit::ticket

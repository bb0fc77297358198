#include "rotating_code.hpp"

#include "signing_message.hpp"

#include <sodium.h>

namespace admit::ticket {
namespace {

constexpr std::string_view kWindowContext = "admit-window/1";

std::array<uint8_t, 4> big_endian(uint32_t value) {
    return {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
            static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
}

}  // namespace

uint32_t window_of(int64_t unix_seconds) noexcept {
    return static_cast<uint32_t>(unix_seconds / kWindowSeconds);
}

WindowAge window_age(uint32_t code_window, int64_t now) noexcept {
    const uint32_t current = window_of(now);
    if (code_window == current) return WindowAge::current;
    if (current > 0 && code_window == current - 1) return WindowAge::previous;
    return WindowAge::stale;
}

TicketKeyPair TicketKeyPair::generate() {
    TicketKeyPair pair;
    crypto_sign_ed25519_keypair(pair.public_.data(), pair.secret_.data());
    return pair;
}

sdk::Result<TicketKeyPair> TicketKeyPair::from_seed(std::span<const uint8_t> seed) {
    if (seed.size() != crypto_sign_ed25519_SEEDBYTES) {
        return sdk::Error::invalid("a ticket key seed is 32 bytes");
    }
    TicketKeyPair pair;
    crypto_sign_ed25519_seed_keypair(pair.public_.data(), pair.secret_.data(), seed.data());
    return pair;
}

TicketKeyPair::TicketKeyPair(TicketKeyPair&& other) noexcept
    : public_(other.public_), secret_(other.secret_) {
    sodium_memzero(other.secret_.data(), other.secret_.size());
}

TicketKeyPair& TicketKeyPair::operator=(TicketKeyPair&& other) noexcept {
    if (this != &other) {
        public_ = other.public_;
        secret_ = other.secret_;
        sodium_memzero(other.secret_.data(), other.secret_.size());
    }
    return *this;
}

TicketKeyPair::~TicketKeyPair() { sodium_memzero(secret_.data(), secret_.size()); }

std::array<uint8_t, 32> TicketKeyPair::seed() const {
    std::array<uint8_t, 32> seed{};
    crypto_sign_ed25519_sk_to_seed(seed.data(), secret_.data());
    return seed;
}

sdk::Result<Bytes> TicketKeyPair::rotating_code(std::span<const uint8_t> signed_ticket,
                                                int64_t now) const {
    auto ticket = parse_signed_ticket(signed_ticket);
    if (!ticket) return std::move(ticket).error();
    if (ticket->bytes.size() != signed_ticket.size()) {
        return sdk::Error::invalid("signed ticket has trailing bytes");
    }
    if (ticket->payload.ticket_key != public_) {
        return sdk::Error::invalid("the signed ticket names another ticket key");
    }
    const uint32_t window = window_of(now);
    const auto window_bytes = big_endian(window);
    const SigningMessage message(kWindowContext, {window_bytes, ticket->bytes});
    if (!message.fits()) return sdk::Error::invalid("signed ticket too long");
    std::array<uint8_t, kSignatureBytes> signature{};
    crypto_sign_ed25519_detached(signature.data(), nullptr, message.bytes().data(),
                                 message.bytes().size(), secret_.data());
    Bytes code(signed_ticket.begin(), signed_ticket.end());
    ByteWriter out(code);
    out.u32(window);
    out.bytes(signature);
    return code;
}

bool verify_window_signature(const SignedTicket& ticket, const WindowProof& proof) {
    if (!ticket.payload.ticket_key || proof.signature.size() != kSignatureBytes) return false;
    const auto window_bytes = big_endian(proof.window);
    const SigningMessage message(kWindowContext, {window_bytes, ticket.bytes});
    return message.fits() && crypto_sign_ed25519_verify_detached(
                                 proof.signature.data(), message.bytes().data(),
                                 message.bytes().size(), ticket.payload.ticket_key->data()) == 0;
}

}  // namespace admit::ticket

// The venue's ticket signing keys for this deployment: one signer and every public key that
// still verifies.
//
// The signer is the 32-byte seed in the environment variable named by config `signing_key_env`
// (default ADMIT_TICKET_SIGNING_KEY; base64url or standard base64) in production, so the private
// key never touches the database. When that variable is unset, a key generated at first start
// and kept in ticket.signing_keys signs instead (the development default, as auth does for
// access tokens). Every key that ever signed here keeps its public half in ticket.signing_keys,
// and config `retired_public_keys` (base64url Ed25519 public keys) adds keys from elsewhere, so
// a rotation never invalidates a ticket already issued.
//
// Thread-safety: load() runs once (plugin start) before any reader; afterwards the object is
// immutable and safe to read from any thread.
#pragma once

#include "codes/venue_key.hpp"

#include <admit/sdk.hpp>

#include <boost/json/array.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace admit::ticket {

class VenueKeys {
  public:
    /// `env_seed`: the signer's seed text from the environment (nullopt: use the database).
    /// `retired`: base64url public keys that still verify.
    VenueKeys(std::optional<std::string> env_seed, std::vector<std::string> retired)
        : env_seed_(std::move(env_seed)), retired_text_(std::move(retired)) {}

    /// Checks the configured texts without touching storage (plugin init): ADMIT_E_INVALID_ARGUMENT
    /// naming the bad one.
    sdk::Status check_config() const;
    /// Reads (or, for the development default, creates) the keys in PostgreSQL.
    sdk::Status load(sdk::Database& db, int64_t now_us);

    bool loaded() const noexcept { return signer_ != nullptr; }
    const VenueSigningKey& signer() const { return *signer_; }
    /// Every verifying key, the signer first.
    const std::vector<VenuePublicKey>& verifying() const noexcept { return verifying_; }
    /// The JWKs of every verifying key (for /.well-known/jwks.json and gate kits).
    boost::json::array jwks() const;

  private:
    std::optional<std::string> env_seed_;
    std::vector<std::string> retired_text_;
    std::unique_ptr<VenueSigningKey> signer_;
    std::vector<VenuePublicKey> verifying_;
};

/// The 32 bytes of a seed or public key given as base64url or standard base64 (padding allowed).
std::optional<std::vector<uint8_t>> decode_key_text(std::string_view text);

}  // namespace admit::ticket

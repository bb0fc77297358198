// Where signing keys come from and how they rotate.
//
// The signer is either the seed in the environment variable named by config `signing_key_env`
// (production: the private key never touches the database) or, when that variable is unset, a
// key generated at first start and kept in auth.signing_keys (development only: the plugin refuses
// it unless `development_keys` is set). Every non-retired key, and every key retired less than one
// access-token lifetime ago, verifies; a withdrawn key never does. With the environment key, every
// database key that holds a private seed is withdrawn and its seed erased at each reload.
//
// Thread-safe: reload() and rotate() serialize on an internal mutex; the KeyRing they fill is
// read concurrently by the authenticator.
#pragma once

#include "key_ring.hpp"

#include <admit/sdk.hpp>

#include <mutex>
#include <optional>

namespace admit::auth {

class KeyStore {
  public:
    /// `env_key`: the signer from the environment (nullopt: use the database).
    /// `verify_window`: how long a retired key still verifies (access-token lifetime + leeway).
    KeyStore(sdk::Database& db, KeyRing& ring, std::optional<SigningKey> env_key,
             int64_t verify_window_seconds);

    /// Loads the keys from PostgreSQL into the ring; creates the first key when there is none.
    sdk::Status reload(int64_t now);
    /// Retires the database signer and makes a new one. ADMIT_E_STATE when the signer comes from
    /// the environment (rotate by deploying a new seed; the old public key stays in the table).
    sdk::Result<std::string> rotate(int64_t now);
    /// Whether the current database signer is older than `max_age_seconds`.
    bool signer_older_than(int64_t max_age_seconds, int64_t now) const;
    /// reload() at most once per `min_interval_seconds`, for a token with an unknown kid; false
    /// when it did not run (too soon, or another thread is reloading).
    bool reload_if_stale(int64_t now, int64_t min_interval_seconds);

    bool signer_from_environment() const noexcept { return env_key_.has_value(); }

  private:
    sdk::Status insert(sdk::Tx& tx, const SigningKey& key, bool keep_private);
    sdk::Status reload_locked(int64_t now);

    sdk::Database& db_;
    KeyRing& ring_;
    std::optional<SigningKey> env_key_;
    int64_t verify_window_;
    mutable std::mutex mutex_;
    int64_t last_reload_ = 0;
};

}  // namespace admit::auth

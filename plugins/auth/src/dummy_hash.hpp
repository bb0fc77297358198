// DummyHash: the password hash a login with an unknown email is verified against, so that
// answer takes as long as a wrong password. Trap avoided: hashing it inside start(), which put a
// full argon2 computation (a quarter of a quiet start's CPU, 100-300 ms on a loaded 2-core host)
// on every restart's path to readiness. It is computed by the first login that needs it, which
// then takes two hash times; that happens once per process and tells nothing about an account.
// Thread-safe: concurrent first callers wait for one computation.
#pragma once

#include "password_hasher.hpp"

#include <admit/sdk.hpp>

#include <mutex>
#include <optional>
#include <string>

namespace admit::auth {

class DummyHash {
  public:
    /// `hasher` must outlive this object.
    explicit DummyHash(PasswordHasher& hasher) : hasher_(hasher) {}
    DummyHash(const DummyHash&) = delete;
    DummyHash& operator=(const DummyHash&) = delete;

    /// The encoded dummy hash, computed on the first call (a failed computation is retried by
    /// the next call); errors as PasswordHasher::hash.
    sdk::Result<std::string> get();

  private:
    PasswordHasher& hasher_;
    std::mutex mutex_;  ///< guards value_; held while computing it
    std::optional<std::string> value_;
};

}  // namespace admit::auth

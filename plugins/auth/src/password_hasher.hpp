// argon2id password hashing (libsodium crypto_pwhash_str) on a bounded pool: every hash or verify
// passes a BoundedGate, so a login flood ties up at most `concurrency + max_waiting` host worker
// threads, and one client (IP) at most `per_client` of them; beyond that it is refused at once
// (ADMIT_E_REJECTED for the client over its share, ADMIT_E_UNAVAILABLE when the queue is full)
// while other requests keep being served.
//
// Thread-safe. The parameters never go below OWASP's argon2id minimum (19 MiB, t=2, p=1; libsodium
// always uses p=1).
#pragma once

#include "bounded_gate.hpp"

#include <admit/sdk/result.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace admit::auth {

struct HasherLimits {
    unsigned long long opslimit = 2;           ///< argon2 t (iterations), at least 2
    std::size_t memlimit_bytes = 19u << 20;    ///< argon2 m, at least 19 MiB
    int concurrency = 2;                       ///< hashes running at once
    int max_waiting = 8;                       ///< callers queued for a slot, all clients
    int per_client = 2;                        ///< places (running + queued) of one client
    std::chrono::milliseconds max_wait{3000};  ///< longest wait for a slot
};

class PasswordHasher {
  public:
    /// Limits below the minimums are raised to them.
    explicit PasswordHasher(HasherLimits limits);

    /// The encoded hash ("$argon2id$v=19$m=19456,t=2,p=1$..."), computed for `client` (the gate's
    /// share); ADMIT_E_REJECTED over the client's share, ADMIT_E_UNAVAILABLE when saturated.
    sdk::Result<std::string> hash(std::string_view password, std::string_view client);
    /// Whether `password` matches `encoded` (a malformed `encoded` is false); errors as hash().
    sdk::Result<bool> verify(std::string_view encoded, std::string_view password,
                             std::string_view client);
    /// Whether `encoded` was made with other parameters than the current ones.
    bool needs_rehash(std::string_view encoded) const;

    const HasherLimits& limits() const noexcept { return limits_; }

  private:
    static HasherLimits raised(HasherLimits limits);

    HasherLimits limits_;
    BoundedGate gate_;
};

}  // namespace admit::auth

// Per-account login failure budget with exponential back-off, kept in Redis so that it holds
// across every host of a fleet.
//
// An account is named by its EmailDigest (never the address). The first `free_failures` failures
// cost nothing; each further one makes the account wait base * 2^(n - free - 1), at most `max`.
// While an account waits, every login for it is refused before the password is checked (a right
// password too), and such refusals do not count. A success forgets the account's failures; they
// are forgotten anyway `forget_after` after the last one. Unknown emails are counted like known
// ones, so the budget says nothing about which accounts exist.
//
// Thread-safe (stateless apart from Redis). Times come from the caller (the host clock).
#pragma once

#include <admit/sdk.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace admit::auth {

struct ThrottleSettings {
    int64_t free_failures = 5;
    std::chrono::milliseconds base{1000};
    std::chrono::milliseconds max{900'000};
    std::chrono::milliseconds forget_after{86'400'000};
};

class LoginThrottle {
  public:
    LoginThrottle(sdk::Redis& redis, ThrottleSettings settings);

    /// Registers the Redis script. [init]
    sdk::Status register_scripts();
    /// How long `account` must still wait, in milliseconds (0: it may try now).
    sdk::Result<int64_t> wait_ms(const std::string& account, int64_t now_ms);
    /// Counts a failed login of `account`; returns how long it must now wait (0: still free).
    sdk::Result<int64_t> failed(const std::string& account, int64_t now_ms);
    /// Forgets the failures of `account` (a successful login).
    sdk::Status succeeded(const std::string& account);

    const ThrottleSettings& settings() const noexcept { return settings_; }

  private:
    static std::string key_of(const std::string& account);

    sdk::Redis& redis_;
    ThrottleSettings settings_;
};

}  // namespace admit::auth

// The keyed hash that names an account in throttling state and in auth.login_failed events:
// HMAC-SHA-256 of the normalised email under a per-deployment key, so that neither Redis keys nor
// the event log can be turned back into addresses with a dictionary (a plain SHA-256 could).
// Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace admit::auth {

class EmailDigest {
  public:
    /// `key`: the secret bytes (deployment_secret "login_hash"); any length, 32+ recommended.
    explicit EmailDigest(std::string key);
    EmailDigest(const EmailDigest&) = delete;
    EmailDigest& operator=(const EmailDigest&) = delete;
    ~EmailDigest();

    /// Lower-case hex of HMAC-SHA-256(key, normalise(email)).
    std::string of(std::string_view email) const;
    /// The email as accounts store it: surrounding white space removed, ASCII lower-cased.
    static std::string normalise(std::string_view email);

  private:
    std::string key_;
};

}  // namespace admit::auth

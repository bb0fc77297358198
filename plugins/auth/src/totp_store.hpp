// The TOTP second factor of an account in PostgreSQL (auth.totp_factors): its secret, whether it is
// enabled, and the newest time step a code was accepted for, so that each code is used at most
// once across every host. Stateless; thread-safe.
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace admit::auth {

struct TotpFactor {
    std::string secret_base32;
    bool enabled = false;
    int64_t last_step = -1;
};

/// The account's factor; nullopt when it never enrolled.
sdk::Result<std::optional<TotpFactor>> find_totp(sdk::Database& db, const std::string& user_id);
/// Starts (or restarts) an enrolment with a new unconfirmed secret. ADMIT_E_CONFLICT when the
/// factor is enabled already.
sdk::Status start_totp_enrolment(sdk::Database& db, const std::string& user_id,
                                 const std::string& secret_base32, int64_t now);
/// Enables the pending factor whose secret is `secret_base32`, consuming `step`, and publishes
/// auth.totp_enabled in the same transaction. false when there is no such pending factor (it was
/// confirmed or replaced meanwhile).
sdk::Result<bool> confirm_totp(sdk::Database& db, const std::string& user_id,
                               const std::string& secret_base32, int64_t step, int64_t now);
/// Consumes `step` for a login: true when it is newer than every step used before (atomic, so of
/// two logins with the same code only one passes), false for a replay.
sdk::Result<bool> consume_totp_step(sdk::Database& db, const std::string& user_id, int64_t step);

}  // namespace admit::auth

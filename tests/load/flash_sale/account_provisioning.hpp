// Account provisioning for the flash-sale benchmark: creates buyer accounts through the real auth
// API (POST /api/v1/auth/signup, then POST /api/v1/auth/login) and collects their sessions.
// An account that already exists (409 EMAIL_TAKEN) is logged into. An account with a saved
// session is refreshed (POST /api/v1/auth/refresh) instead, as a real client would: no password
// hash, so a rerun does not spend minutes in argon2id; a refused refresh falls back to login.
// Answers 429/503 and lost connections are retried; anything else fails the account.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace admit::load {

struct ProvisioningOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    int accounts = 20000;
    int connections = 64;
    std::string email_prefix = "buyer";  ///< account i: <prefix><i>@bench.admit.test
    std::string password;                ///< the same for every account
    int max_retries = 100;               ///< per request, on 429/503/connection loss
};

struct Session {
    std::string access_token;  ///< "" when the account failed
    std::string refresh_token;
};

struct ProvisioningResult {
    std::vector<Session> sessions;  ///< of account i
    int created = 0;                ///< 201 on signup
    int existed = 0;                ///< 409 EMAIL_TAKEN on signup
    int refreshed = 0;              ///< saved sessions renewed without a password
    int failed = 0;
    std::string first_failure;  ///< "signup 400 INVALID_REQUEST" etc.
    double seconds = 0;
};

/// Provisions `options.accounts` accounts; `saved[i]` (may be shorter, or have empty refresh
/// tokens) is account i's session from an earlier run. False (with `error`) when the server is
/// unreachable.
bool provision_accounts(const ProvisioningOptions& options, const std::vector<Session>& saved,
                        ProvisioningResult& result, std::string& error);

/// The sessions saved in `path`, one "<access token> <refresh token>" per line (none when the
/// file does not exist).
std::vector<Session> read_sessions(const std::string& path);
/// Writes `sessions` to `path` in the format read_sessions reads; false when it cannot.
bool write_sessions(const std::string& path, const std::vector<Session>& sessions);

}  // namespace admit::load

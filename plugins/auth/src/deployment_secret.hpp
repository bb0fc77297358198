// A per-deployment secret of the auth plugin: from an environment variable when it is set
// (production), otherwise random bytes generated once and kept in auth.deployment_secrets, so every
// host of a fleet shares it. Stateless; thread-safe.
#pragma once

#include <admit/sdk.hpp>

#include <string>
#include <string_view>

namespace admit::auth {

/// The secret's bytes: the text of environment variable `env_name` when it is set and non-empty
/// (at least 32 bytes, else ADMIT_E_INVALID_ARGUMENT naming the variable); otherwise the stored
/// secret `name`, generated (32 random bytes) by whichever host asks first.
sdk::Result<std::string> deployment_secret(sdk::Database& db, std::string_view name,
                                           const std::string& env_name, int64_t now);

}  // namespace admit::auth

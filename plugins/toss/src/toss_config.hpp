// TossConfig: the adapter's settings ([plugin.toss]) and its secrets (environment only).
#pragma once

#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace admit::toss {

struct TossConfig {
    std::string base_url = "https://api.tosspayments.com";  // no trailing slash
    std::string checkout_url;  // where checkout pages live; default: base_url
    uint32_t connect_timeout_ms = 2000;
    uint32_t read_timeout_ms = 15000;  // confirm and cancel; Toss can take seconds
    uint32_t query_timeout_ms = 5000;
    uint32_t max_attempts = 2;  // every call carries an Idempotency-Key or is a GET
    int64_t webhook_tolerance_seconds = 300;
    std::string secret_key;      // ADMIT_TOSS_SECRET_KEY
    std::string webhook_secret;  // ADMIT_TOSS_WEBHOOK_SECRET
};

/// Reads an environment variable (std::getenv by default; tests may pass their own).
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> process_env(const char* name);

/// The config from the plugin's section and the environment; an Error naming the key or variable
/// for a bad value or a missing secret.
sdk::Result<TossConfig> load_config(const boost::json::object& section,
                                    const EnvLookup& env = process_env);

}  // namespace admit::toss

#include "toss_config.hpp"

#include <cstdlib>

namespace admit::toss {

std::optional<std::string> process_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

namespace {

sdk::Result<std::string> url_setting(const boost::json::object& section, const char* key,
                                     std::string fallback) {
    const auto* value = section.if_contains(key);
    if (value == nullptr) return fallback;
    if (!value->is_string())
        return sdk::Error::invalid(std::string("[plugin.toss] ") + key + " must be a string");
    std::string url(value->as_string());
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (!(url.starts_with("http://") || url.starts_with("https://")) || url.size() < 10)
        return sdk::Error::invalid(std::string("[plugin.toss] ") + key +
                                   " must be an http(s) URL, not '" + url + "'");
    return url;
}

sdk::Status int_setting(const boost::json::object& section, const char* key, int64_t min,
                        int64_t max, auto& out) {
    const auto* value = section.if_contains(key);
    if (value == nullptr) return {};
    if (!value->is_int64() || value->as_int64() < min || value->as_int64() > max) {
        return sdk::Error::invalid(std::string("[plugin.toss] ") + key +
                                   " must be an integer between " + std::to_string(min) + " and " +
                                   std::to_string(max));
    }
    out = static_cast<std::remove_reference_t<decltype(out)>>(value->as_int64());
    return {};
}

}  // namespace

sdk::Result<TossConfig> load_config(const boost::json::object& section, const EnvLookup& env) {
    TossConfig config;
    ADMIT_TRY_ASSIGN(config.base_url, url_setting(section, "base_url", config.base_url));
    ADMIT_TRY_ASSIGN(config.checkout_url, url_setting(section, "checkout_url", config.base_url));
    ADMIT_TRY(int_setting(section, "connect_timeout_ms", 1, 60'000, config.connect_timeout_ms));
    ADMIT_TRY(int_setting(section, "read_timeout_ms", 1, 120'000, config.read_timeout_ms));
    ADMIT_TRY(int_setting(section, "query_timeout_ms", 1, 120'000, config.query_timeout_ms));
    ADMIT_TRY(int_setting(section, "max_attempts", 1, 10, config.max_attempts));
    ADMIT_TRY(int_setting(section, "webhook_tolerance_seconds", 1, 86'400,
                          config.webhook_tolerance_seconds));
    for (const char* key : {"secret_key", "webhook_secret"}) {
        if (section.contains(key)) {
            return sdk::Error::invalid(std::string("[plugin.toss] ") + key +
                                       ": secrets are read only from the environment "
                                       "(ADMIT_TOSS_SECRET_KEY, ADMIT_TOSS_WEBHOOK_SECRET)");
        }
    }
    auto secret = env("ADMIT_TOSS_SECRET_KEY");
    if (!secret) {
        return sdk::Error::invalid(
            "ADMIT_TOSS_SECRET_KEY is not set: the toss adapter needs the Toss secret key in "
            "the environment");
    }
    auto webhook = env("ADMIT_TOSS_WEBHOOK_SECRET");
    if (!webhook) {
        return sdk::Error::invalid(
            "ADMIT_TOSS_WEBHOOK_SECRET is not set: the toss adapter needs the webhook signing "
            "secret in the environment");
    }
    config.secret_key = std::move(*secret);
    config.webhook_secret = std::move(*webhook);
    return config;
}

}  // namespace admit::toss

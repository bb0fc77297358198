#include "deployment_secret.hpp"

#include "encoding.hpp"

#include <cstdlib>

namespace admit::auth {

sdk::Result<std::string> deployment_secret(sdk::Database& db, std::string_view name,
                                           const std::string& env_name, int64_t now) {
    if (const char* text = std::getenv(env_name.c_str()); text != nullptr && *text != '\0') {
        std::string secret(text);
        if (secret.size() < 32)
            return sdk::Error::invalid(env_name +
                                       " must hold at least 32 bytes (head -c32 /dev/urandom | "
                                       "base64)");
        return secret;
    }
    const std::string key(name);
    auto inserted = db.exec(
        "INSERT INTO auth.deployment_secrets (name, value, created_at) "
        "VALUES ($1, $2, to_timestamp($3)) ON CONFLICT (name) DO NOTHING",
        key, random_token(32), now);
    if (!inserted) return std::move(inserted).error();
    auto rows = db.exec("SELECT value FROM auth.deployment_secrets WHERE name = $1", key);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return sdk::Error::internal("deployment secret " + key + " vanished");
    auto secret = base64url_decode(rows->front().text("value"));
    if (!secret || secret->size() < 32)
        return sdk::Error::internal("deployment secret " + key + " is malformed");
    return std::move(*secret);
}

}  // namespace admit::auth

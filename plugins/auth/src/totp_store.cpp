#include "totp_store.hpp"

namespace admit::auth {

sdk::Result<std::optional<TotpFactor>> find_totp(sdk::Database& db, const std::string& user_id) {
    auto rows = db.exec(
        "SELECT secret, (enabled_at IS NOT NULL)::int AS enabled, last_step "
        "FROM auth.totp_factors WHERE user_id = $1",
        user_id);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<TotpFactor>{};
    const auto row = rows->front();
    return std::optional<TotpFactor>(TotpFactor{row.text("secret"),
                                                row.int64("enabled").value_or(0) == 1,
                                                row.int64("last_step").value_or(-1)});
}

sdk::Status start_totp_enrolment(sdk::Database& db, const std::string& user_id,
                                 const std::string& secret_base32, int64_t now) {
    auto written = db.exec(
        "INSERT INTO auth.totp_factors (user_id, secret, created_at) "
        "VALUES ($1, $2, to_timestamp($3)) "
        "ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, "
        "created_at = EXCLUDED.created_at, last_step = -1 "
        "WHERE auth.totp_factors.enabled_at IS NULL",
        user_id, secret_base32, now);
    if (!written) return std::move(written).error();
    if (written->affected == 0) return sdk::Error::conflict("the second factor is enabled already");
    return {};
}

sdk::Result<bool> confirm_totp(sdk::Database& db, const std::string& user_id,
                               const std::string& secret_base32, int64_t step, int64_t now) {
    bool confirmed = false;
    auto status = db.transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto updated = tx.exec(
            "UPDATE auth.totp_factors SET enabled_at = to_timestamp($4), last_step = $3 "
            "WHERE user_id = $1 AND secret = $2 AND enabled_at IS NULL",
            user_id, secret_base32, step, now);
        if (!updated) return std::move(updated).error();
        confirmed = updated->affected == 1;
        if (!confirmed) return {};
        return tx.publish("auth.totp_enabled", user_id, {{"userId", user_id}}, user_id);
    });
    if (!status) return std::move(status).error();
    return confirmed;
}

sdk::Result<bool> consume_totp_step(sdk::Database& db, const std::string& user_id, int64_t step) {
    auto updated = db.exec(
        "UPDATE auth.totp_factors SET last_step = $2 "
        "WHERE user_id = $1 AND enabled_at IS NOT NULL AND last_step < $2",
        user_id, step);
    if (!updated) return std::move(updated).error();
    return updated->affected == 1;
}

}  // namespace admit::auth

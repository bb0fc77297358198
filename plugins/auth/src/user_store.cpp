#include "user_store.hpp"

#include "encoding.hpp"

namespace admit::auth {

boost::json::object User::to_json() const {
    boost::json::object out{{"id", id},
                            {"email", email},
                            {"name", name},
                            {"role", role},
                            {"tier", tier},
                            {"status", status},
                            {"createdAt", sdk::format_rfc3339(created_at * 1'000'000)}};
    if (!seller_status.empty()) out["sellerStatus"] = seller_status;
    return out;
}

User user_from_row(const sdk::Row& row) {
    User user;
    user.id = row.text("id");
    user.email = row.text("email");
    user.name = row.text("name");
    user.role = row.text("role");
    user.tier = row.text("tier");
    user.status = row.text("status");
    user.password_hash = row.text("password_hash");
    user.token_version = row.int64("token_version").value_or(0);
    user.created_at = row.int64("created_at").value_or(0);
    user.seller_status = row.text("seller_status");
    return user;
}

namespace {

sdk::Result<std::optional<User>> first_user(sdk::Result<sdk::Rows> rows) {
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<User>{};
    return std::optional<User>(user_from_row(rows->front()));
}

}  // namespace

sdk::Result<std::optional<User>> find_user_by_id(sdk::Database& db, const std::string& id) {
    return first_user(
        db.exec("SELECT " + std::string(kUserColumns) + " FROM auth.users WHERE id = $1", id));
}

sdk::Result<std::optional<User>> find_user_by_email(sdk::Database& db, const std::string& email) {
    return first_user(db.exec(
        "SELECT " + std::string(kUserColumns) + " FROM auth.users WHERE email = $1", email));
}

sdk::Result<std::optional<User>> lock_user(sdk::Tx& tx, const std::string& id) {
    return first_user(tx.exec(
        "SELECT " + std::string(kUserColumns) + " FROM auth.users WHERE id = $1 FOR UPDATE", id));
}

sdk::Status insert_user(sdk::Database& db, const User& user, std::string_view actor, int64_t now) {
    return db.transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto inserted = tx.exec(
            "INSERT INTO auth.users (id, email, name, role, tier, status, password_hash, "
            "created_at, updated_at, seller_status) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8), to_timestamp($8), "
            "nullif($9, '')) "
            "ON CONFLICT (email) DO NOTHING",
            user.id, user.email, user.name, user.role, user.tier, user.status, user.password_hash,
            now, user.seller_status);
        if (!inserted) return std::move(inserted).error();
        if (inserted->affected == 0) return sdk::Error::conflict("email is taken");
        boost::json::object event{{"userId", user.id}, {"role", user.role}};
        if (!user.seller_status.empty()) event["sellerStatus"] = user.seller_status;
        return tx.publish("auth.user_signed_up", user.id, std::move(event), actor);
    });
}

}  // namespace admit::auth

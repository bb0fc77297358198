// Accounts in PostgreSQL (auth.users) and their JSON form. Stateless; thread-safe.
#pragma once

#include <admit/sdk.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace admit::auth {

struct User {
    std::string id;
    std::string email;
    std::string name;
    std::string role;
    std::string tier = "none";
    std::string status = "active";
    std::string password_hash;
    int64_t token_version = 0;
    int64_t created_at = 0;
    /// For role seller: PENDING (self-registered, not reviewed yet), APPROVED or REJECTED; empty
    /// for every other role.
    std::string seller_status;

    /// {id, email, name, role, tier, status, createdAt, sellerStatus (sellers only)}: never the
    /// hash.
    boost::json::object to_json() const;
    bool suspended() const noexcept { return status == "suspended"; }
    /// The role access tokens carry: a seller that is not APPROVED acts as a customer.
    std::string token_role() const {
        return role == "seller" && seller_status != "APPROVED" ? "customer" : role;
    }
};

/// The columns every user query selects, in the order user_from_row() reads them.
inline constexpr std::string_view kUserColumns =
    "id, email, name, role, tier, status, password_hash, token_version, "
    "extract(epoch from created_at)::bigint AS created_at, "
    "coalesce(seller_status, '') AS seller_status";

User user_from_row(const sdk::Row& row);

/// nullopt when no such user.
sdk::Result<std::optional<User>> find_user_by_id(sdk::Database& db, const std::string& id);
sdk::Result<std::optional<User>> find_user_by_email(sdk::Database& db, const std::string& email);
/// Row-locked read inside a transaction.
sdk::Result<std::optional<User>> lock_user(sdk::Tx& tx, const std::string& id);

/// Inserts `user` and publishes auth.user_signed_up in one transaction; ADMIT_E_CONFLICT when the
/// email is taken. `actor` is who created it (the user, or the admin/host for create_admin).
sdk::Status insert_user(sdk::Database& db, const User& user, std::string_view actor, int64_t now);

}  // namespace admit::auth

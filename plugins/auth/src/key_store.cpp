#include "key_store.hpp"

namespace admit::auth {

KeyStore::KeyStore(sdk::Database& db, KeyRing& ring, std::optional<SigningKey> env_key,
                   int64_t verify_window_seconds)
    : db_(db), ring_(ring), env_key_(std::move(env_key)), verify_window_(verify_window_seconds) {}

sdk::Status KeyStore::insert(sdk::Tx& tx, const SigningKey& key, bool keep_private) {
    auto inserted = tx.exec(
        "INSERT INTO auth.signing_keys (kid, public_key, private_seed, created_at) "
        "VALUES ($1, $2, $3, to_timestamp($4)) ON CONFLICT (kid) DO NOTHING",
        key.kid, key.public_text(), keep_private ? sdk::SqlParam(key.seed_text()) : sdk::SqlParam{},
        key.created_at);
    if (!inserted) return std::move(inserted).error();
    return {};
}

sdk::Status KeyStore::reload(int64_t now) {
    std::lock_guard lock(mutex_);
    return reload_locked(now);
}

sdk::Status KeyStore::reload_locked(int64_t now) {
    const auto load = [&]() {
        return db_.exec(
            "SELECT kid, public_key, private_seed, extract(epoch from created_at)::bigint AS "
            "created, "
            "coalesce(extract(epoch from retired_at)::bigint, 0) AS retired FROM auth.signing_keys "
            "WHERE withdrawn_at IS NULL AND (retired_at IS NULL OR retired_at > to_timestamp($1)) "
            "ORDER BY created_at DESC, kid",
            now - verify_window_);
    };
    auto rows = load();
    if (!rows) return std::move(rows).error();

    if (env_key_) {
        // A previous environment key stops signing now: it verifies for one more token lifetime.
        // Keys whose seed sits in PostgreSQL (development keys) are withdrawn at once: their seed
        // is erased and they stop verifying, whatever they signed before.
        auto stored = db_.transaction([&](sdk::Tx& tx) -> sdk::Status {
            if (auto s = insert(tx, *env_key_, false); !s) return s;
            auto withdrawn = tx.exec(
                "UPDATE auth.signing_keys SET private_seed = NULL, "
                "withdrawn_at = to_timestamp($1), "
                "retired_at = coalesce(retired_at, to_timestamp($1)) "
                "WHERE private_seed IS NOT NULL",
                now);
            if (!withdrawn) return std::move(withdrawn).error();
            auto retired = tx.exec(
                "UPDATE auth.signing_keys SET retired_at = to_timestamp($2) "
                "WHERE private_seed IS NULL AND retired_at IS NULL AND kid <> $1",
                env_key_->kid, now);
            if (!retired) return std::move(retired).error();
            return {};
        });
        if (!stored) return stored;
        rows = load();
        if (!rows) return std::move(rows).error();
    } else {
        bool has_signer = false;
        for (const auto& row : *rows)
            has_signer = has_signer || (!row.is_null("private_seed") && row.int64("retired") == 0);
        if (!has_signer) {
            const SigningKey fresh = SigningKey::generate(now);
            auto stored = db_.transaction([&](sdk::Tx& tx) { return insert(tx, fresh, true); });
            if (!stored) return stored;
            rows = load();
            if (!rows) return std::move(rows).error();
        }
    }

    std::shared_ptr<const SigningKey> signer;
    if (env_key_) signer = std::make_shared<const SigningKey>(*env_key_);
    std::vector<std::shared_ptr<const SigningKey>> verifiers;
    for (const auto& row : *rows) {
        auto seed_cell = row["private_seed"];
        if (!seed_cell) return std::move(seed_cell).error();
        const auto& seed = *seed_cell;
        auto key = SigningKey::from_stored(
            row.text("kid"), row.text("public_key"),
            seed ? std::optional<std::string_view>(*seed) : std::nullopt,
            row.int64("created").value_or(0), row.int64("retired").value_or(0));
        if (!key) return std::move(key).error();
        auto shared = std::make_shared<const SigningKey>(std::move(*key));
        if (!signer && shared->secret && shared->retired_at == 0) signer = shared;  // newest first
        verifiers.push_back(std::move(shared));
    }
    if (!signer) return sdk::Error::internal("no signing key is available");
    ring_.replace(std::move(signer), std::move(verifiers));
    last_reload_ = now;
    return {};
}

sdk::Result<std::string> KeyStore::rotate(int64_t now) {
    if (env_key_)
        return sdk::Error::state(
            "the signing key comes from the environment; deploy a new seed to rotate");
    std::lock_guard lock(mutex_);
    const SigningKey fresh = SigningKey::generate(now);
    auto stored = db_.transaction([&](sdk::Tx& tx) -> sdk::Status {
        auto retired = tx.exec(
            "UPDATE auth.signing_keys SET retired_at = to_timestamp($1) "
            "WHERE retired_at IS NULL AND private_seed IS NOT NULL",
            now);
        if (!retired) return std::move(retired).error();
        return insert(tx, fresh, true);
    });
    if (!stored) return std::move(stored).error();
    if (auto reloaded = reload_locked(now); !reloaded) return std::move(reloaded).error();
    return fresh.kid;
}

bool KeyStore::signer_older_than(int64_t max_age_seconds, int64_t now) const {
    if (env_key_) return false;
    const auto signer = ring_.signer();
    return signer && signer->created_at + max_age_seconds <= now;
}

bool KeyStore::reload_if_stale(int64_t now, int64_t min_interval_seconds) {
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock() || now - last_reload_ < min_interval_seconds) return false;
    return reload_locked(now).ok();
}

}  // namespace admit::auth

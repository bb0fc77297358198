#include "venue_keys.hpp"

#include "codes/base64url.hpp"
#include "sql_text.hpp"

#include <algorithm>

namespace admit::ticket {

namespace {
std::optional<PublicKeyBytes> public_key_of(std::string_view text) {
    auto bytes = decode_key_text(text);
    if (!bytes || bytes->size() != 32) return std::nullopt;
    PublicKeyBytes key{};
    std::copy(bytes->begin(), bytes->end(), key.begin());
    return key;
}
}  // namespace

std::optional<std::vector<uint8_t>> decode_key_text(std::string_view text) {
    std::string normalised;
    for (char c : text) {
        if (c == '=') continue;
        normalised.push_back(c == '+' ? '-' : c == '/' ? '_' : c);
    }
    return base64url_decode(normalised);
}

sdk::Status VenueKeys::check_config() const {
    if (env_seed_) {
        auto seed = decode_key_text(*env_seed_);
        if (!seed || seed->size() != 32)
            return sdk::Error::invalid("the signing key seed is not 32 bytes of base64");
    }
    for (const auto& text : retired_text_) {
        if (!public_key_of(text))
            return sdk::Error::invalid("retired_public_keys: '" + text +
                                       "' is not a 32-byte base64url public key");
    }
    return {};
}

sdk::Status VenueKeys::load(sdk::Database& db, int64_t now_us) {
    if (auto s = check_config(); !s) return s;
    std::unique_ptr<VenueSigningKey> signer;
    if (env_seed_) {
        auto seed = decode_key_text(*env_seed_);
        auto key = VenueSigningKey::from_seed(*seed);
        if (!key) return std::move(key).error();
        signer = std::make_unique<VenueSigningKey>(std::move(*key));
        // Its public half is kept for good, so the key verifies after the next rotation too.
        auto kept = db.exec(
            "INSERT INTO ticket.signing_keys (kid, public_key, seed, created_at) VALUES ($1, $2, "
            "NULL, " +
                sql_time(3) + ") ON CONFLICT (kid) DO NOTHING",
            signer->public_key().kid, base64url_encode(signer->public_key().bytes), now_us);
        if (!kept) return std::move(kept).error();
    } else {
        // The development default: the oldest active database key, created at first start.
        auto generated = VenueSigningKey::generate();
        const auto seed = generated.seed();
        auto created = db.exec(
            "INSERT INTO ticket.signing_keys (kid, public_key, seed, created_at) "
            "SELECT $1, $2, $3, " +
                sql_time(4) +
                " WHERE NOT EXISTS (SELECT 1 FROM ticket.signing_keys WHERE seed IS NOT NULL "
                "AND retired_at IS NULL)",
            generated.public_key().kid, base64url_encode(generated.public_key().bytes),
            base64url_encode(seed), now_us);
        if (!created) return std::move(created).error();
        auto rows = db.exec(
            "SELECT seed FROM ticket.signing_keys WHERE seed IS NOT NULL AND retired_at IS NULL "
            "ORDER BY created_at, kid LIMIT 1");
        if (!rows) return std::move(rows).error();
        if (rows->empty()) return sdk::Error::internal("no ticket signing key in the database");
        auto stored = decode_key_text(rows->front().text("seed"));
        if (!stored) return sdk::Error::internal("ticket.signing_keys holds an unreadable seed");
        auto key = VenueSigningKey::from_seed(*stored);
        if (!key) return std::move(key).error();
        signer = std::make_unique<VenueSigningKey>(std::move(*key));
    }

    std::vector<VenuePublicKey> verifying{signer->public_key()};
    auto add = [&verifying](const PublicKeyBytes& bytes) {
        auto key = VenuePublicKey::from_bytes(bytes);
        if (std::none_of(verifying.begin(), verifying.end(),
                         [&](const VenuePublicKey& k) { return k.kid == key.kid; }))
            verifying.push_back(std::move(key));
    };
    auto rows = db.exec("SELECT public_key FROM ticket.signing_keys ORDER BY created_at, kid");
    if (!rows) return std::move(rows).error();
    for (const auto& row : *rows) {
        if (auto key = public_key_of(row.text("public_key"))) add(*key);
    }
    for (const auto& text : retired_text_) add(*public_key_of(text));
    signer_ = std::move(signer);
    verifying_ = std::move(verifying);
    return {};
}

boost::json::array VenueKeys::jwks() const {
    boost::json::array keys;
    for (const auto& key : verifying_) keys.push_back(key.jwk());
    return keys;
}

}  // namespace admit::ticket

// Entry tokens: the pass an admitted user shows the reservation plugin. Format (all ASCII):
//   "qe1." base64url(payload) "." base64url(HMAC-SHA256(key, "qe1." base64url(payload)))
// payload = scheduleId "|" userId "|" joinId "|" expiresAt (unix seconds).
// Pure functions of their arguments (libsodium); thread-safe. Call sodium_init() once before use.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace admit::queue {

using EntryKey = std::array<unsigned char, 32>;

struct EntryClaims {
    std::string schedule_id;
    std::string user_id;
    std::string join_id;
    int64_t expires_at = 0;  ///< unix seconds
};

/// Why a token was refused (empty string = valid).
enum class EntryVerdict { valid, malformed, signature, expired, wrong_schedule, wrong_user };
const char* verdict_name(EntryVerdict verdict);

std::string sign_entry_token(const EntryKey& key, const EntryClaims& claims);

/// Checks format, signature (constant time), expiry against `now_s`, and the binding to
/// `schedule_id` and `user_id`. On `valid`, `claims_out` (optional) receives the claims.
EntryVerdict verify_entry_token(const EntryKey& key, std::string_view token,
                                std::string_view schedule_id, std::string_view user_id,
                                int64_t now_s, EntryClaims* claims_out = nullptr);

/// The join id of (schedule, user): "qj_" + 26 hex digits of HMAC-SHA256(key, "join|" schedule
/// "|" user). Stable for the pair, unguessable without the key, never sequential.
std::string join_id_for(const EntryKey& key, std::string_view schedule_id,
                        std::string_view user_id);

/// Parses a base64 (standard or url) 32-byte key; nullopt when malformed.
std::optional<EntryKey> parse_entry_key(std::string_view text);

std::string base64url(std::string_view bytes);
std::optional<std::string> from_base64url(std::string_view text);
std::string to_hex(const unsigned char* bytes, std::size_t size);

}  // namespace admit::queue

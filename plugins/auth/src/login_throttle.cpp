#include "login_throttle.hpp"

#include <charconv>

namespace admit::auth {
namespace {

constexpr std::string_view kFailedScript = "auth_login_failed";
// KEYS[1] the account's hash; ARGV: now_ms, free failures, base_ms, max_ms, forget_after_ms.
// Returns the wait in milliseconds that this failure started (0 while failures are still free).
constexpr std::string_view kFailedSource = R"lua(
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local free = tonumber(ARGV[2])
local wait = 0
if n > free then
  local exponent = math.min(n - free - 1, 40)
  wait = math.min(tonumber(ARGV[3]) * (2 ^ exponent), tonumber(ARGV[4]))
  redis.call('HSET', KEYS[1], 'until', string.format('%.0f', tonumber(ARGV[1]) + wait))
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return wait
)lua";

}  // namespace

LoginThrottle::LoginThrottle(sdk::Redis& redis, ThrottleSettings settings)
    : redis_(redis), settings_(settings) {}

std::string LoginThrottle::key_of(const std::string& account) {
    return "auth:login_failures:" + account;
}

sdk::Status LoginThrottle::register_scripts() {
    return redis_.register_script(kFailedScript, kFailedSource);
}

sdk::Result<int64_t> LoginThrottle::wait_ms(const std::string& account, int64_t now_ms) {
    auto reply = redis_.command({"HGET", key_of(account), "until"});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return sdk::Error::unavailable("redis: " + reply->str);
    if (reply->is_nil()) return int64_t{0};
    int64_t until = 0;
    const auto& text = reply->str;
    if (std::from_chars(text.data(), text.data() + text.size(), until).ec != std::errc{})
        return int64_t{0};
    return until > now_ms ? until - now_ms : 0;
}

sdk::Result<int64_t> LoginThrottle::failed(const std::string& account, int64_t now_ms) {
    auto reply =
        redis_.eval(kFailedScript, {key_of(account)},
                    {std::to_string(now_ms), std::to_string(settings_.free_failures),
                     std::to_string(settings_.base.count()), std::to_string(settings_.max.count()),
                     std::to_string(settings_.forget_after.count())});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return sdk::Error::unavailable("redis: " + reply->str);
    return reply->integer;
}

sdk::Status LoginThrottle::succeeded(const std::string& account) {
    auto reply = redis_.command({"DEL", key_of(account)});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return sdk::Error::unavailable("redis: " + reply->str);
    return {};
}

}  // namespace admit::auth

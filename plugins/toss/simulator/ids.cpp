#include "ids.hpp"

#include <fmt/format.h>
#include <chrono>
#include <ctime>
#include <mutex>
#include <random>

namespace admit::paysim {
namespace {

std::mt19937_64& engine() {
    static std::mt19937_64 e{[] {
        std::random_device rd;
        return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
               static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }()};
    return e;
}
std::mutex id_mutex;

std::string format_kst(int64_t unix_seconds, const char* pattern) {
    std::time_t t = static_cast<std::time_t>(unix_seconds + 9 * 3600);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, pattern, &tm);
    return buf;
}

}  // namespace

std::string random_id(const std::string& prefix, std::size_t length) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out = prefix;
    std::lock_guard lock(id_mutex);
    std::uniform_int_distribution<int> pick(0, sizeof alphabet - 2);
    for (std::size_t i = 0; i < length; ++i) out += alphabet[pick(engine())];
    return out;
}

std::string random_hex_key() {
    std::lock_guard lock(id_mutex);
    return fmt::format("{:016X}{:016X}", engine()(), engine()());
}

int64_t now_unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int64_t now_unix_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string toss_time(int64_t unix_ms) {
    return format_kst(unix_ms / 1000, "%Y-%m-%dT%H:%M:%S") + "+09:00";
}

std::string toss_event_time(int64_t unix_us) {
    return fmt::format("{}.{:06d}", format_kst(unix_us / 1000000, "%Y-%m-%dT%H:%M:%S"),
                       unix_us % 1000000);
}

}  // namespace admit::paysim

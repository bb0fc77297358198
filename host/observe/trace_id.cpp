#include "host/observe/trace_id.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>

namespace admit::observe {
namespace {

// xoshiro256** seeded from random_device, the clock and the thread id.
class TraceRng {
  public:
    TraceRng() {
        std::random_device device;
        std::uint64_t seed = (std::uint64_t{device()} << 32) ^ device();
        seed ^=
            static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        seed ^= std::hash<std::thread::id>{}(std::this_thread::get_id()) * 0x9E3779B97F4A7C15ull;
        for (auto& word : state_) word = splitmix(seed);
    }

    std::uint64_t next() {
        std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix(std::uint64_t& x) {
        std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::uint64_t state_[4];
};

bool is_lower_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zero(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

}  // namespace

std::string generate_trace_id() {
    thread_local TraceRng rng;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(32, '0');
    for (int half = 0; half < 2; ++half) {
        std::uint64_t bits = rng.next();
        for (int i = 0; i < 16; ++i) {
            id[half * 16 + i] = kHex[bits & 0xF];
            bits >>= 4;
        }
    }
    return id;
}

std::optional<std::string> parse_traceparent(std::string_view header) {
    // version(2) '-' trace-id(32) '-' parent-id(16) '-' flags(2)
    constexpr std::size_t kLength = 55;
    if (header.size() < kLength) return std::nullopt;
    std::string_view version = header.substr(0, 2);
    if (!is_lower_hex(version) || version == "ff") return std::nullopt;
    if (header.size() > kLength && (version == "00" || header[kLength] != '-')) return std::nullopt;
    if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
    std::string_view trace_id = header.substr(3, 32);
    std::string_view parent_id = header.substr(36, 16);
    std::string_view flags = header.substr(53, 2);
    if (!is_lower_hex(trace_id) || !is_lower_hex(parent_id) || !is_lower_hex(flags))
        return std::nullopt;
    if (all_zero(trace_id) || all_zero(parent_id)) return std::nullopt;
    return std::string(trace_id);
}

bool is_acceptable_request_id(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-';
    });
}

std::string resolve_trace_id(std::string_view traceparent, std::string_view request_id) {
    if (!traceparent.empty()) {
        if (auto parsed = parse_traceparent(traceparent)) return std::move(*parsed);
    }
    if (is_acceptable_request_id(request_id)) return std::string(request_id);
    return generate_trace_id();
}

}  // namespace admit::observe

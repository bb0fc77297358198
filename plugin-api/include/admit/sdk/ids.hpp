// Opaque ids for plugin objects: a type prefix plus 128 random bits in hex ("hal_3f9c..."), never
// sequential, so ids reveal neither volume nor order.
#pragma once

#include <sys/random.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace admit::sdk {

/// A fresh id `<prefix>_<32 hex digits>` from the kernel's CSPRNG. Thread-safe.
inline std::string new_id(std::string_view prefix) {
    unsigned char bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
        std::random_device device;  // fallback; getrandom only fails on ancient kernels
        for (auto& b : bytes) b = static_cast<unsigned char>(device());
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(prefix);
    id.push_back('_');
    for (unsigned char b : bytes) {
        id.push_back(hex[b >> 4]);
        id.push_back(hex[b & 0x0f]);
    }
    return id;
}

}  // namespace admit::sdk

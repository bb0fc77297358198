// The exact bytes a signature covers: a context string, then the signed parts, copied into a
// bounded stack buffer (codes are small). Used by the venue and the window signatures. A value
// type; no sharing, no allocation.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

namespace admit::ticket {

/// Domain-separated message "context || parts..." in a bounded buffer (codes are small); empty
/// when it would not fit. Shared by the venue and the window signatures.
class SigningMessage {
  public:
    SigningMessage(std::string_view context, std::initializer_list<std::span<const uint8_t>> parts);
    std::span<const uint8_t> bytes() const noexcept { return {buffer_.data(), size_}; }
    bool fits() const noexcept { return fits_; }

  private:
    std::array<uint8_t, 512> buffer_{};
    std::size_t size_ = 0;
    bool fits_ = true;
};

}  // namespace admit::ticket

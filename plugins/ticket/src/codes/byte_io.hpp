// Big-endian fixed-width writing and bounds-checked reading of byte strings: the primitives of
// the code formats. Header-only, no allocation beyond the writer's vector; not thread-safe (one
// writer or reader per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace admit::ticket {

using Bytes = std::vector<uint8_t>;

/// Appends fields to a byte vector it does not own.
class ByteWriter {
  public:
    explicit ByteWriter(Bytes& out) : out_(out) {}

    void u8(uint8_t value) { out_.push_back(value); }
    void u32(uint32_t value) {
        for (int shift = 24; shift >= 0; shift -= 8)
            out_.push_back(static_cast<uint8_t>(value >> shift));
    }
    void bytes(std::span<const uint8_t> data) { out_.insert(out_.end(), data.begin(), data.end()); }
    void text(std::string_view data) {
        out_.insert(out_.end(), reinterpret_cast<const uint8_t*>(data.data()),
                    reinterpret_cast<const uint8_t*>(data.data()) + data.size());
    }

  private:
    Bytes& out_;
};

/// Reads fields from a view of bytes it does not own; every read returns nullopt (and reads
/// nothing) when fewer bytes remain than the field needs.
class ByteReader {
  public:
    explicit ByteReader(std::span<const uint8_t> in) : in_(in) {}

    std::optional<uint8_t> u8() {
        if (remaining() < 1) return std::nullopt;
        return in_[at_++];
    }
    std::optional<uint32_t> u32() {
        if (remaining() < 4) return std::nullopt;
        uint32_t value = 0;
        for (int i = 0; i < 4; ++i) value = (value << 8) | in_[at_++];
        return value;
    }
    std::optional<std::span<const uint8_t>> bytes(std::size_t count) {
        if (remaining() < count) return std::nullopt;
        const auto view = in_.subspan(at_, count);
        at_ += count;
        return view;
    }
    std::size_t remaining() const noexcept { return in_.size() - at_; }
    std::size_t position() const noexcept { return at_; }

  private:
    std::span<const uint8_t> in_;
    std::size_t at_ = 0;
};

}  // namespace admit::ticket

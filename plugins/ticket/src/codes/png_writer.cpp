#include "png_writer.hpp"

#include <zlib.h>

#include <string_view>
#include <vector>

namespace admit::ticket {
namespace {

constexpr int kMaxSide = 8192;

void put_u32(std::string& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

/// length || type || data || CRC-32(type || data)
void put_chunk(std::string& out, std::string_view type, std::string_view data) {
    put_u32(out, static_cast<uint32_t>(data.size()));
    const std::size_t crc_from = out.size();
    out.append(type);
    out.append(data);
    const auto* covered = reinterpret_cast<const Bytef*>(out.data() + crc_from);
    put_u32(out,
            static_cast<uint32_t>(crc32(0L, covered, static_cast<uInt>(out.size() - crc_from))));
}

}  // namespace

sdk::Result<std::string> encode_bilevel_png(int width, int height,
                                            const std::function<bool(int x, int y)>& dark) {
    if (width <= 0 || height <= 0 || width > kMaxSide || height > kMaxSide) {
        return sdk::Error::invalid("PNG size out of range");
    }
    // Scanlines: filter type 0, then 8 pixels a byte, most significant bit first; 1 is white.
    const std::size_t row_bytes = 1 + (static_cast<std::size_t>(width) + 7) / 8;
    std::vector<Bytef> raw(row_bytes * static_cast<std::size_t>(height), 0);
    for (int y = 0; y < height; ++y) {
        Bytef* row = raw.data() + row_bytes * static_cast<std::size_t>(y);
        for (int x = 0; x < width; ++x) {
            if (!dark(x, y)) row[1 + x / 8] |= static_cast<Bytef>(0x80 >> (x % 8));
        }
    }
    uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
    std::string compressed(compressed_size, '\0');
    if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressed_size, raw.data(),
                  static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK) {
        return sdk::Error::internal("zlib could not compress the image");
    }
    compressed.resize(compressed_size);

    std::string header;
    put_u32(header, static_cast<uint32_t>(width));
    put_u32(header, static_cast<uint32_t>(height));
    header += std::string_view("\x01\x00\x00\x00\x00",
                               5);  // depth 1, grayscale, deflate, filters, no interlace

    std::string png("\x89PNG\r\n\x1a\n", 8);
    put_chunk(png, "IHDR", header);
    put_chunk(png, "IDAT", compressed);
    put_chunk(png, "IEND", {});
    return png;
}

}  // namespace admit::ticket

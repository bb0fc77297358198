#include "http_caching.hpp"

#include <zlib.h>

#include <cstdint>
#include <cstdio>

namespace admit::product {

std::string entity_tag(std::string_view bytes, std::string_view suffix) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (unsigned char c : bytes) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    // Appended piece by piece: g++ 12 at -O3 reports a false -Wrestrict on a chain of operator+.
    std::string tag;
    tag.reserve(18 + suffix.size());
    tag += '"';
    tag.append(hex, 16);
    tag.append(suffix);
    tag += '"';
    return tag;
}

std::optional<std::string> gzip_compress(std::string_view bytes) {
    z_stream stream{};
    constexpr int kGzipWindow = 15 + 16;  // 15-bit window, gzip header and trailer
    if (deflateInit2(&stream, 6, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return std::nullopt;
    std::string out;
    out.resize(deflateBound(&stream, static_cast<uLong>(bytes.size())));
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    stream.avail_in = static_cast<uInt>(bytes.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = deflate(&stream, Z_FINISH);
    const auto written = stream.total_out;
    deflateEnd(&stream);
    if (status != Z_STREAM_END) return std::nullopt;
    out.resize(written);
    return out;
}

}  // namespace admit::product

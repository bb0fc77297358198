#include "http_caching.hpp"

#include <zlib.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace admit::product {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// Calls `each` for every comma-separated element of a header list, trimmed.
template <typename Each>
void for_each_element(std::string_view list, Each each) {
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        std::string_view element = trim(list.substr(0, comma));
        if (!element.empty() && each(element)) return;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
}

// The q value of a coding element such as "gzip;q=0.5" (1 when absent, 0 when malformed).
double quality(std::string_view parameters) {
    std::size_t at = parameters.find("q=");
    if (at == std::string_view::npos) return 1.0;
    std::string value(trim(parameters.substr(at + 2)));
    char* end = nullptr;
    double q = std::strtod(value.c_str(), &end);
    if (end == value.c_str()) return 0.0;
    return q;
}

}  // namespace

bool accepts_gzip(std::optional<std::string_view> accept_encoding) {
    if (!accept_encoding) return false;
    bool accepted = false;
    for_each_element(*accept_encoding, [&](std::string_view element) {
        std::size_t semicolon = element.find(';');
        std::string_view coding = trim(element.substr(0, semicolon));
        std::string_view parameters = semicolon == std::string_view::npos
                                          ? std::string_view()
                                          : element.substr(semicolon + 1);
        if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
            accepted = quality(parameters) > 0.0;
            return true;  // an explicit gzip entry decides, whatever "*" says
        }
        if (coding == "*") accepted = quality(parameters) > 0.0;
        return false;
    });
    return accepted;
}

bool etag_matches(std::optional<std::string_view> if_none_match, std::string_view etag) {
    if (!if_none_match) return false;
    auto opaque = [](std::string_view tag) {
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        return tag;
    };
    bool matched = false;
    for_each_element(*if_none_match, [&](std::string_view element) {
        matched = element == "*" || opaque(element) == opaque(etag);
        return matched;
    });
    return matched;
}

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

#include "chunked_body.hpp"

#include <algorithm>
#include <cctype>

namespace admit::load {

bool ChunkedBody::end_body() {
    over_ = true;
    return false;
}

bool ChunkedBody::decode(std::string& raw, std::string& out) {
    while (!over_) {
        if (after_chunk_) {
            if (raw.size() < 2) return true;
            if (raw.compare(0, 2, "\r\n") != 0) return end_body();
            raw.erase(0, 2);
            after_chunk_ = false;
        }
        if (left_ == 0) {  // "<hex size>[;extensions]\r\n"
            const auto end = raw.find("\r\n");
            if (end == std::string::npos) return true;
            std::size_t size = 0, digits = 0;
            for (; digits < end && std::isxdigit(static_cast<unsigned char>(raw[digits])) != 0;
                 ++digits) {
                const char c =
                    static_cast<char>(std::tolower(static_cast<unsigned char>(raw[digits])));
                size = size * 16 + static_cast<std::size_t>(c <= '9' ? c - '0' : c - 'a' + 10);
            }
            if (digits == 0 || (digits < end && raw[digits] != ';')) return end_body();
            raw.erase(0, end + 2);
            if (size == 0) return end_body();  // the last chunk
            left_ = size;
        }
        const std::size_t take = std::min(left_, raw.size());
        out.append(raw, 0, take);
        raw.erase(0, take);
        left_ -= take;
        if (left_ == 0) after_chunk_ = true;
        if (raw.empty()) return true;
    }
    return false;
}

}  // namespace admit::load

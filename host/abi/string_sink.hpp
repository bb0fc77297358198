// StringSink: an admit_sink that appends into a std::string it does not own.
#pragma once

#include <string>

#include "admit/abi.h"

namespace admit::runtime {

struct StringSink {
    std::string* target;
    admit_sink sink;

    explicit StringSink(std::string& out) : target(&out), sink{this, &StringSink::append} {}
    StringSink(const StringSink&) = delete;
    StringSink& operator=(const StringSink&) = delete;

    admit_sink* get() { return &sink; }

    static void append(void* ctx, const char* data, size_t len) {
        if (data != nullptr && len > 0) static_cast<StringSink*>(ctx)->target->append(data, len);
    }
};

// Writes `text` into a sink the plugin passed (which may be NULL).
inline void write_to(admit_sink* sink, std::string_view text) {
    if (sink != nullptr && sink->write != nullptr) sink->write(sink->ctx, text.data(), text.size());
}

inline std::string_view view(admit_str s) {
    return s.ptr == nullptr ? std::string_view{} : std::string_view(s.ptr, s.len);
}
inline admit_str to_abi(std::string_view s) { return admit_str{s.data(), s.size()}; }

}  // namespace admit::runtime

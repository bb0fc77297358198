// Low-level helpers between C++ values and the C ABI: string views, sinks, the exception barrier.
// Plugin authors rarely need these directly; the rest of the SDK is built on them.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/result.hpp>

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

namespace admit::sdk {

/// Borrowed view of `text` as an admit_str (valid while `text` is).
inline admit_str to_abi(std::string_view text) noexcept {
    return admit_str{text.data(), text.size()};
}

/// Borrowed view of an admit_str; a NULL pointer reads as empty.
inline std::string_view from_abi(admit_str text) noexcept {
    return text.ptr == nullptr ? std::string_view{} : std::string_view{text.ptr, text.len};
}

/// True when the host's function table contains `field` (a function pointer member of
/// admit_host_api) and the host filled it in. Check this before calling any function added after
/// ABI 1.0, e.g. `if (ADMIT_HOST_OFFERS(api, some_newer_function)) ...`.
#define ADMIT_HOST_OFFERS(api, field) \
    ((api) != nullptr && ADMIT_HAS_FIELD((api), admit_host_api, field) && (api)->field != nullptr)

/// Writes `text` to a sink the peer handed us; a NULL sink drops it.
inline void write_to(admit_sink* sink, std::string_view text) noexcept {
    if (sink != nullptr && sink->write != nullptr && !text.empty()) {
        sink->write(sink->ctx, text.data(), text.size());
    }
}

/// A sink that appends into a std::string. Not copyable or movable (the sink points at itself).
class StringSink {
  public:
    StringSink() noexcept : sink_{this, &StringSink::append} {}
    StringSink(const StringSink&) = delete;
    StringSink& operator=(const StringSink&) = delete;

    admit_sink* get() noexcept { return &sink_; }
    const std::string& text() const noexcept { return text_; }
    std::string take() noexcept { return std::move(text_); }

  private:
    static void append(void* ctx, const char* data, std::size_t len) noexcept {
        try {
            static_cast<StringSink*>(ctx)->text_.append(data, len);
        } catch (...) {  // out of memory: the message is lost, never the process
        }
    }

    admit_sink sink_;
    std::string text_;
};

/// The Status of a finished call that wrote its message (if any) to `error`. Takes the sink, not
/// its text, so that the text is read after the call (argument evaluation order is unspecified).
inline Status status_of(admit_status status, StringSink& error) {
    return Status::from(status, error.take());
}

/// The exception barrier of every callback the SDK hands to the host. Runs `body` (returning an
/// admit_status); an exception becomes ADMIT_E_INTERNAL with its what() written to `error`.
/// Never throws.
template <class Body>
admit_status barrier(admit_sink* error, Body&& body) noexcept {
    try {
        return body();
    } catch (const std::exception& e) {
        write_to(error, e.what());
    } catch (...) {
        write_to(error, "unknown exception");
    }
    return ADMIT_E_INTERNAL;
}

/// Writes an Error's message to `error` and returns its status (ADMIT_OK for an ok Status).
inline admit_status report(const Status& status, admit_sink* error) noexcept {
    if (!status.ok()) {
        write_to(error, status.message());
    }
    return status.status();
}

/// The pair of raw handles every SDK object talks to the host through.
struct HostHandle {
    const admit_host_api* api = nullptr;
    admit_host* host = nullptr;
};

namespace detail {

/// Logs through the host without ever throwing (used where the ABI offers no error sink).
inline void log_failure(HostHandle handle, std::string_view what,
                        std::string_view message) noexcept {
    try {
        std::string line(what);
        line.append(": ").append(message);
        handle.api->log(handle.host, ADMIT_LOG_ERROR, to_abi(line));
    } catch (...) {
        handle.api->log(handle.host, ADMIT_LOG_ERROR, to_abi(what));
    }
}

}  // namespace detail

}  // namespace admit::sdk

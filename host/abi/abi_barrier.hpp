// The host side of the ABI's exception barrier: every function in the admit_host_api table is
// installed as guarded<&fn>, a noexcept wrapper, so that no C++ exception (a bad_alloc, a fmt
// error, a throwing plugin sink) ever unwinds into a plugin, which may be C. Avoids the trap of
// relying on each entry's author to remember a try block.
//
// Contract of guarded<&fn>: calls fn with the same arguments. If it throws, the exception is logged
// and the call answers its failure value: ADMIT_E_INTERNAL for an admit_status (with the message
// written to the last admit_sink* argument, the error sink by convention), nothing for void, zero
// or NULL otherwise. Writing to that sink can throw again (a plugin's sink): that is swallowed too.
#pragma once

#include <exception>
#include <tuple>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "admit/abi.h"

namespace admit::runtime::api {
namespace detail {

// The last admit_sink* among `args`, or nullptr.
template <typename... Args>
admit_sink* last_sink(Args... args) {
    admit_sink* found = nullptr;
    auto consider = [&found](auto arg) {
        if constexpr (std::is_same_v<decltype(arg), admit_sink*>) found = arg;
    };
    (consider(args), ...);
    return found;
}

template <typename R, typename... Args>
R failure(const char* what, Args... args) noexcept {
    try {
        spdlog::error("a host ABI function threw; the plugin gets an error instead: {}", what);
    } catch (...) {
    }
    if constexpr (std::is_same_v<R, admit_status>) {
        if (admit_sink* sink = last_sink(args...); sink != nullptr && sink->write != nullptr) {
            try {
                const std::string_view text(what);
                sink->write(sink->ctx, text.data(), text.size());
            } catch (...) {
            }
        }
        return ADMIT_E_INTERNAL;
    } else if constexpr (!std::is_void_v<R>) {
        return R{};
    }
}

template <auto Fn>
struct Guarded;

template <typename R, typename... Args, R (*Fn)(Args...)>
struct Guarded<Fn> {
    static R call(Args... args) noexcept {
        try {
            return Fn(args...);
        } catch (const std::exception& e) {
            return failure<R>(e.what(), args...);
        } catch (...) {
            return failure<R>("unknown exception", args...);
        }
    }
};

}  // namespace detail

// The noexcept, exception-barrier version of host function `Fn`, for the function table.
template <auto Fn>
inline constexpr auto guarded = &detail::Guarded<Fn>::call;

}  // namespace admit::runtime::api

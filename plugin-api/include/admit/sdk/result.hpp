// Result values of the Admit plugin SDK: expected failures travel as values, never as exceptions.
#pragma once

#include <admit/abi.h>

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace admit::sdk {

/// An expected failure: an ABI status (never ADMIT_OK) and a human-readable message.
struct Error {
    admit_status status = ADMIT_E_INTERNAL;
    std::string message;

    static Error invalid(std::string message) {
        return {ADMIT_E_INVALID_ARGUMENT, std::move(message)};
    }
    static Error not_found(std::string message) { return {ADMIT_E_NOT_FOUND, std::move(message)}; }
    static Error conflict(std::string message) { return {ADMIT_E_CONFLICT, std::move(message)}; }
    static Error rejected(std::string message) { return {ADMIT_E_REJECTED, std::move(message)}; }
    static Error internal(std::string message) { return {ADMIT_E_INTERNAL, std::move(message)}; }
    static Error unsupported(std::string message) {
        return {ADMIT_E_UNSUPPORTED, std::move(message)};
    }
    static Error state(std::string message) { return {ADMIT_E_STATE, std::move(message)}; }
    static Error unavailable(std::string message) {
        return {ADMIT_E_UNAVAILABLE, std::move(message)};
    }

    // Predicates, so that plugins never compare raw ADMIT_E_* codes.
    bool is_invalid() const noexcept { return status == ADMIT_E_INVALID_ARGUMENT; }
    bool is_not_found() const noexcept { return status == ADMIT_E_NOT_FOUND; }
    bool is_conflict() const noexcept { return status == ADMIT_E_CONFLICT; }
    bool is_constraint() const noexcept { return status == ADMIT_E_CONSTRAINT; }
    /// A dependency (PostgreSQL, Redis, a plugin that is not loaded) could not be reached:
    /// retryable.
    bool is_unavailable() const noexcept {
        return status == ADMIT_E_UNAVAILABLE || status == ADMIT_E_TIMEOUT;
    }
    bool is_rejected() const noexcept { return status == ADMIT_E_REJECTED; }
    bool is_unsupported() const noexcept { return status == ADMIT_E_UNSUPPORTED; }
    /// Called at the wrong moment, or the object is in a state that refuses the change.
    bool is_state() const noexcept { return status == ADMIT_E_STATE; }
};

/// Stable upper-case name of a status ("OK", "NOT_FOUND", ...), for logs and messages.
inline std::string_view status_name(admit_status status) noexcept {
    switch (status) {
        case ADMIT_OK:
            return "OK";
        case ADMIT_E_INVALID_ARGUMENT:
            return "INVALID_ARGUMENT";
        case ADMIT_E_NOT_FOUND:
            return "NOT_FOUND";
        case ADMIT_E_CONFLICT:
            return "CONFLICT";
        case ADMIT_E_CONSTRAINT:
            return "CONSTRAINT";
        case ADMIT_E_UNAVAILABLE:
            return "UNAVAILABLE";
        case ADMIT_E_TIMEOUT:
            return "TIMEOUT";
        case ADMIT_E_INTERNAL:
            return "INTERNAL";
        case ADMIT_E_UNSUPPORTED:
            return "UNSUPPORTED";
        case ADMIT_E_REJECTED:
            return "REJECTED";
        case ADMIT_E_ABORTED:
            return "ABORTED";
        case ADMIT_E_STATE:
            return "STATE";
        default:
            return "UNKNOWN";
    }
}

/// Either a T or an Error. Accessing the wrong alternative is a programming error (asserted).
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {
        assert(this->error().status != ADMIT_OK);
    }

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(state_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(state_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(state_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& {
        assert(!ok());
        return std::get<1>(state_);
    }
    Error&& error() && {
        assert(!ok());
        return std::get<1>(std::move(state_));
    }
    admit_status status() const noexcept { return ok() ? ADMIT_OK : std::get<1>(state_).status; }

    T value_or(T fallback) const& { return ok() ? std::get<0>(state_) : std::move(fallback); }

  private:
    std::variant<T, Error> state_;
};

/// Success or an Error; the result of operations that produce nothing.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(Error error) : error_(std::move(error)) { assert(error_.status != ADMIT_OK); }

    /// Builds a Status from a raw ABI status and its message (ignored when status is ADMIT_OK).
    static Status from(admit_status status, std::string message) {
        if (status == ADMIT_OK) {
            return {};
        }
        if (message.empty()) {
            message = std::string(status_name(status));
        }
        return Error{status, std::move(message)};
    }

    bool ok() const noexcept { return error_.status == ADMIT_OK; }
    explicit operator bool() const noexcept { return ok(); }
    admit_status status() const noexcept { return error_.status; }
    const Error& error() const& {
        assert(!ok());
        return error_;
    }
    Error&& error() && {
        assert(!ok());
        return std::move(error_);
    }
    /// Empty when ok.
    const std::string& message() const noexcept { return error_.message; }

  private:
    Error error_{ADMIT_OK, {}};
};

inline Status ok() { return {}; }

}  // namespace admit::sdk

#define ADMIT_DETAIL_CONCAT_INNER(a, b) a##b
#define ADMIT_DETAIL_CONCAT(a, b) ADMIT_DETAIL_CONCAT_INNER(a, b)

/// ADMIT_TRY(expr): evaluates a Status or Result; on failure returns its Error from the enclosing
/// function (which returns Status or any Result<U>).
#define ADMIT_TRY(expr)                                                         \
    do {                                                                        \
        auto&& admit_detail_try = (expr);                                       \
        if (!admit_detail_try.ok()) return std::move(admit_detail_try).error(); \
    } while (false)

/// ADMIT_TRY_ASSIGN(lhs, expr): evaluates a Result<T>; on failure returns its Error, otherwise
/// moves the value into `lhs` (a declaration such as `auto user` or an existing variable).
#define ADMIT_TRY_ASSIGN(lhs, expr) \
    ADMIT_DETAIL_TRY_ASSIGN(lhs, expr, ADMIT_DETAIL_CONCAT(admit_detail_result_, __LINE__))
#define ADMIT_DETAIL_TRY_ASSIGN(lhs, expr, tmp)   \
    auto tmp = (expr);                            \
    if (!tmp.ok()) return std::move(tmp).error(); \
    lhs = std::move(tmp).value()

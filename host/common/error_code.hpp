// ErrorCode: the host's machine codes for expected failures, one enum with one table of names (the
// names are what logs, tests and the admin API show). Avoids the trap of free strings, where a typo
// in one place silently never matches a comparison in another.
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>

#include <fmt/format.h>

namespace admit {

// X(name) for every code; the enumerator and its printed name are the same word.
#define ADMIT_HOST_ERROR_CODES(X) \
    X(ABORTED)                    \
    X(AUTH_REFUSED)               \
    X(AUTHENTICATOR_DUPLICATE)    \
    X(BLOCKED)                    \
    X(CALL_FAILED)                \
    X(CONFIG_INVALID)             \
    X(CONFIG_INVALID_VALUE)       \
    X(CONFIG_UNSUPPORTED)         \
    X(CONFLICT)                   \
    X(CONSTRAINT)                 \
    X(DEPENDENCY_UNAVAILABLE)     \
    X(EVENT_INVALID)              \
    X(HANDLER_EXCEPTION)          \
    X(HANDLER_FAILED)             \
    X(HTTP_ALREADY_STARTED)       \
    X(HTTP_BIND_FAILED)           \
    X(INTERNAL)                   \
    X(INVALID_ARGUMENT)           \
    X(INVALID_JSON)               \
    X(INVALID_REQUEST)            \
    X(JOB_FAILED)                 \
    X(LOG_INVALID_FORMAT)         \
    X(LOG_INVALID_LEVEL)          \
    X(METRIC_CONFLICT)            \
    X(METRIC_INVALID_BUCKETS)     \
    X(METRIC_INVALID_LABELS)      \
    X(METRIC_INVALID_NAME)        \
    X(MIGRATION_FAILED)           \
    X(MIGRATION_INVALID)          \
    X(NOT_FOUND)                  \
    X(PLUGIN_DEPENDENCY_CYCLE)    \
    X(PLUGIN_DUPLICATE)           \
    X(PLUGIN_INIT_FAILED)         \
    X(PLUGIN_MISSING_DEPENDENCY)  \
    X(PLUGIN_REFUSED)             \
    X(PLUGIN_START_FAILED)        \
    X(POLICY_BAD_INPUT)           \
    X(POLICY_BUDGET)              \
    X(POLICY_CONTRACT)            \
    X(POLICY_DEADLINE)            \
    X(POLICY_DIR)                 \
    X(POLICY_ERROR)               \
    X(POLICY_IO)                  \
    X(POLICY_MEMORY)              \
    X(POLICY_NAME)                \
    X(POLICY_NOT_FOUND)           \
    X(POLICY_REJECTED)            \
    X(POLICY_STATE)               \
    X(POLICY_WATCH)               \
    X(POOL_EXHAUSTED)             \
    X(ROUTE_DUPLICATE)            \
    X(ROUTE_INVALID_METHOD)       \
    X(ROUTE_INVALID_TEMPLATE)     \
    X(SCRIPT_INVALID)             \
    X(SERVICE_DUPLICATE)          \
    X(SERVICE_NOT_CONFIGURED)     \
    X(SQL_ERROR)                  \
    X(STATE)                      \
    X(TIMEOUT)                    \
    X(USAGE)

enum class ErrorCode : std::uint16_t {
#define ADMIT_DETAIL_ENUMERATOR(name) name,
    ADMIT_HOST_ERROR_CODES(ADMIT_DETAIL_ENUMERATOR)
#undef ADMIT_DETAIL_ENUMERATOR
};

// The printed name of `code` ("PG_UNAVAILABLE").
constexpr std::string_view name(ErrorCode code) {
    switch (code) {
#define ADMIT_DETAIL_NAME(name) \
    case ErrorCode::name:       \
        return #name;
        ADMIT_HOST_ERROR_CODES(ADMIT_DETAIL_NAME)
#undef ADMIT_DETAIL_NAME
    }
    return "UNKNOWN";
}

// Tests and logs compare and print codes by name.
inline bool operator==(ErrorCode code, std::string_view text) { return name(code) == text; }
inline std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << name(code); }

}  // namespace admit

template <>
struct fmt::formatter<admit::ErrorCode> : fmt::formatter<std::string_view> {
    template <typename Context>
    auto format(admit::ErrorCode code, Context& ctx) const {
        return fmt::formatter<std::string_view>::format(admit::name(code), ctx);
    }
};

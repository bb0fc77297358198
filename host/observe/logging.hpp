// Logging setup for the process (spdlog) and per-thread context fields such as trace_id.
#pragma once

#include <string>
#include <string_view>

#include "host/common/result.hpp"

namespace admit::observe {

// Configures spdlog's default logger to write to stderr.
//   level:  trace | debug | info | warn | error | critical | off
//   format: "text"  -> `2026-01-02T03:04:05.678Z INFO message trace_id=...`
//           "json"  -> one object per line:
//           {"ts":"...","level":"info","msg":"...","trace_id":"..."}
// Context fields of the logging thread (LogField) are appended to every line. Either format
// writes one line per record: text escapes control characters in the message and the fields
// (\n, \r, \t, \xNN; a backslash becomes \\), json escapes them as JSON does. Errors:
// LOG_INVALID_LEVEL, LOG_INVALID_FORMAT (nothing changes then). Call from one thread at start-up or
// reconfiguration; logging itself is thread-safe.
Status configure_logging(std::string_view level, std::string_view format);

// Adds a field to every log line written by this thread while the object lives (RAII; nests in
// stack order). Example: `LogField trace("trace_id", request.trace_id);` around a handler call.
// Both strings are borrowed, not copied: they must outlive the LogField. Costs no allocation.
class LogField {
  public:
    LogField(std::string_view key, std::string_view value);
    ~LogField();
    LogField(const LogField&) = delete;
    LogField& operator=(const LogField&) = delete;
};

// The innermost value of this thread's context field `key` ("" when none is set), e.g. the
// trace id of the request the thread is handling. Valid while that LogField lives.
std::string_view log_field(std::string_view key);

// Appends `text` JSON-escaped (without quotes) to `out`.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace admit::observe

// Response: what a handler returns; the server serializes it (or opens an SSE stream).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace admit::http {

class PendingReply;

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

struct Response {
    int status = 200;
    // Extra headers. The server sets Content-Type, Content-Length, Connection and X-Trace-Id
    // itself.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // A body borrowed from its owner instead of `body` (a cache entry, e.g. a rendered seat map):
    // when set the server writes these bytes without copying them and keeps `borrowed_owner`
    // (null for static bytes) alive until the write has finished.
    std::optional<std::string_view> borrowed_body;
    std::shared_ptr<const void> borrowed_owner;
    std::string content_type{kJsonContentType};
    // Low-cardinality label for metrics, normally the matched route template
    // ("/api/v1/halls/{hallId}"); empty is recorded as "unmatched".
    std::string route_label;
    // When set, the server answers 200 text/event-stream, writes `stream_first_event` (complete SSE
    // text, see format_sse_event; may be empty) and then every StreamHub::publish to this topic.
    std::optional<std::string> stream_topic;
    std::string stream_first_event;
    // Set by whoever accepted the stream to learn when it ends: the server releases it exactly
    // once, on the connection's I/O thread, when the stream ends however it ends (either side
    // closed it, a write failed or timed out, the server stops), or when the response is not
    // turned into a stream after all (HEAD, the per-client stream cap, the connection gone). Its
    // deleter does the reporting, so dropping the response anywhere else reports too.
    std::shared_ptr<void> stream_end;
    // When set, the handler answers later (pending_reply.hpp): the server ignores the rest of this
    // response and sends what the pending reply is given, or 503 after the request timeout.
    std::shared_ptr<PendingReply> pending;

    // The standard error: {"code":"...","message":"...","traceId":"..."} (JSON-escaped).
    static Response error(int status, std::string_view code, std::string_view message,
                          std::string_view trace_id);
    // A JSON body with the given status.
    static Response json(int status, std::string body);

    // The bytes to send: the borrowed body when there is one, `body` otherwise.
    std::string_view payload() const noexcept {
        return borrowed_body ? *borrowed_body : std::string_view(body);
    }
    // Replaces the body with a borrowed one (dropping any earlier owner).
    void borrow_body(std::string_view bytes, std::shared_ptr<const void> owner);
    // Replaces the body with an owned copy (dropping any borrowed one).
    void set_body(std::string_view bytes);

    // Adds (or replaces, case-insensitively) a header; Set-Cookie is always added, never
    // replaced (RFC 6265 3: one cookie per Set-Cookie line, which must not be folded).
    void set_header(std::string_view name, std::string_view value);
    // The value of header `name` (case-insensitive), or nullopt when the response has none.
    std::optional<std::string_view> header(std::string_view name) const;
};

// The standard error body alone, for callers that build responses themselves.
std::string error_body(std::string_view code, std::string_view message, std::string_view trace_id);

// One SSE event: "id: <id>\n" and "event: <name>\n" (each omitted when empty; CR and LF in them are
// dropped), a "data: " line per line of `data`, "\n".
std::string format_sse_event(std::string_view event_name, std::string_view data,
                             std::string_view id = {});

}  // namespace admit::http

// Plain request/reply values exchanged between the Beast server (http_server.cpp) and the route
// handlers, so that only the server translation unit sees Beast. Values only; no thread-safety
// concerns.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace admit::paysim {

struct SimRequest {
    std::string method;  // "GET", "POST", ...
    std::string path;    // target before '?', not decoded
    std::string query;   // target after '?', not decoded ("" when absent)
    std::string authorization;
    std::string idempotency_key;
    std::string content_type;
    std::string body;
};

// What the server does with a reply: answer it, hold the connection open without answering
// until the client gives up, or close the connection without answering.
enum class ReplyAction { respond, hold, close };

struct SimReply {
    int status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    ReplyAction action = ReplyAction::respond;
    std::chrono::milliseconds delay{0};  // applied before the action (simulated latency)
};

}  // namespace admit::paysim

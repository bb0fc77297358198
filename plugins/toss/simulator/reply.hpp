// Reply builders shared by the route handlers. Pure, header-only.
#pragma once

#include <string>

#include "http_types.hpp"
#include "payment_json.hpp"

namespace admit::paysim {

inline SimReply json_reply(int status, std::string body) {
    SimReply r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

// Toss's error body {"code","message"}.
inline SimReply error_reply(int status, const std::string& code, const std::string& message) {
    return json_reply(status, error_body(code, message));
}

}  // namespace admit::paysim

#include "host/http/response.hpp"

#include <cctype>

#include <boost/json.hpp>

namespace admit::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string error_body(std::string_view code, std::string_view message, std::string_view trace_id) {
    boost::json::object body;
    body["code"] = code;
    body["message"] = message;
    body["traceId"] = trace_id;
    return boost::json::serialize(body);
}

Response Response::error(int status, std::string_view code, std::string_view message,
                         std::string_view trace_id) {
    Response response;
    response.status = status;
    response.body = error_body(code, message, trace_id);
    return response;
}

Response Response::json(int status, std::string body) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

void Response::borrow_body(std::string_view bytes, std::shared_ptr<const void> owner) {
    body.clear();
    borrowed_body = bytes;
    borrowed_owner = std::move(owner);
}

void Response::set_body(std::string_view bytes) {
    body.assign(bytes);
    borrowed_body.reset();
    borrowed_owner.reset();
}

void Response::set_header(std::string_view name, std::string_view value) {
    if (iequals(name, "set-cookie")) {
        headers.emplace_back(std::string(name), std::string(value));
        return;
    }
    for (auto& [key, existing] : headers) {
        if (iequals(key, name)) {
            existing = std::string(value);
            return;
        }
    }
    headers.emplace_back(std::string(name), std::string(value));
}

std::optional<std::string_view> Response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return std::string_view(value);
    }
    return std::nullopt;
}

std::string format_sse_event(std::string_view event_name, std::string_view data,
                             std::string_view id) {
    std::string frame;
    frame.reserve(id.size() + event_name.size() + data.size() + 24);
    auto field = [&frame](std::string_view name, std::string_view value) {
        if (value.empty()) return;
        frame += name;
        for (char c : value) {
            if (c != '\r' && c != '\n') frame += c;  // a field is one line, never two
        }
        frame += '\n';
    };
    field("id: ", id);
    field("event: ", event_name);
    std::size_t start = 0;
    while (true) {
        std::size_t end = data.find('\n', start);
        std::string_view line = data.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        frame += "data: ";
        frame += line;
        frame += '\n';
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    frame += '\n';
    return frame;
}

}  // namespace admit::http

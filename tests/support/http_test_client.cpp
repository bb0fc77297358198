#include "http_test_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace admit::testing {
namespace {

int connect_loopback(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string exchange(int fd, const std::string& bytes, int timeout_ms) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[16384];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
        auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

}  // namespace

std::string http_raw(uint16_t port, const std::string& bytes, int timeout_ms) {
    int fd = connect_loopback(port);
    if (fd < 0) return {};
    auto out = exchange(fd, bytes, timeout_ms);
    ::close(fd);
    return out;
}

std::map<std::string, std::string> parse_header_lines(const std::string& raw,
                                                      std::size_t head_end) {
    std::map<std::string, std::string> headers;
    std::size_t pos = raw.find("\r\n") + 2;
    while (pos < head_end) {
        auto eol = raw.find("\r\n", pos);
        auto line = raw.substr(pos, eol - pos);
        auto colon = line.find(':');
        if (colon != std::string::npos) {
            auto name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(), ::tolower);
            auto value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            headers[name] = value;
        }
        pos = eol + 2;
    }
    return headers;
}

HttpResult http_request(uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, const std::map<std::string, std::string>& headers,
                        int timeout_ms) {
    HttpResult result;
    std::string req =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    int fd = connect_loopback(port);
    if (fd < 0) {
        result.error = std::string("connect: ") + std::strerror(errno);
        return result;
    }
    const auto sent_at = std::chrono::steady_clock::now();
    auto raw = exchange(fd, req, timeout_ms);
    ::close(fd);
    auto head_end = raw.find("\r\n\r\n");
    if (raw.size() < 12 || head_end == std::string::npos) {
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - sent_at);
        result.error = "no complete response: " + std::to_string(raw.size()) +
                       " bytes received in " + std::to_string(waited.count()) + " ms";
        return result;
    }
    result.status = std::atoi(raw.substr(9, 3).c_str());
    result.headers = parse_header_lines(raw, head_end);
    result.body = raw.substr(head_end + 4);
    if (result.headers.count("transfer-encoding") &&
        result.headers["transfer-encoding"] == "chunked") {
        std::string decoded;
        std::size_t p = 0;
        while (p < result.body.size()) {
            auto eol = result.body.find("\r\n", p);
            if (eol == std::string::npos) break;
            auto size = std::stoul(result.body.substr(p, eol - p), nullptr, 16);
            if (size == 0) break;
            decoded += result.body.substr(eol + 2, size);
            p = eol + 2 + size + 2;
        }
        result.body = decoded;
    }
    return result;
}

}  // namespace admit::testing

#include "http_client.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cstring>
#include <optional>

namespace admit::ticket::gate {

namespace {
/// Closes the descriptor when it goes out of scope.
struct Socket {
    int fd = -1;
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
};

bool wait_for(int fd, short events, int timeout_ms) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, timeout_ms) > 0;
}

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

/// The body of a chunked message; nullopt when it is cut short or malformed.
std::optional<std::string> dechunk(std::string_view raw) {
    std::string body;
    while (true) {
        const auto line_end = raw.find("\r\n");
        if (line_end == std::string_view::npos) return std::nullopt;
        std::size_t size = 0;
        const auto [end, error] = std::from_chars(raw.data(), raw.data() + line_end, size, 16);
        if (error != std::errc() || end == raw.data()) return std::nullopt;
        raw.remove_prefix(line_end + 2);
        if (size == 0) return body;
        if (raw.size() < size + 2) return std::nullopt;
        body.append(raw.substr(0, size));
        raw.remove_prefix(size + 2);
    }
}
}  // namespace

sdk::Result<ServerAddress> parse_server_url(const std::string& url) {
    constexpr std::string_view scheme = "http://";
    if (url.rfind(scheme, 0) != 0)
        return sdk::Error::invalid("--server must be an http:// URL (got " + url + ")");
    std::string_view rest = std::string_view(url).substr(scheme.size());
    ServerAddress address;
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) address.base_path = std::string(rest.substr(slash));
    while (!address.base_path.empty() && address.base_path.back() == '/')
        address.base_path.pop_back();
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
        int port = 0;
        const auto digits = authority.substr(colon + 1);
        const auto [end, error] =
            std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (error != std::errc() || end != digits.data() + digits.size() || port < 1 ||
            port > 65535)
            return sdk::Error::invalid("--server has an invalid port");
        address.port = static_cast<uint16_t>(port);
        authority = authority.substr(0, colon);
    }
    if (authority.empty()) return sdk::Error::invalid("--server has no host");
    address.host = std::string(authority);
    return address;
}

sdk::Result<HttpAnswer> http_call(const ServerAddress& server, const std::string& method,
                                  const std::string& target, const std::string& body,
                                  const std::map<std::string, std::string>& headers,
                                  int timeout_ms) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(server.port);
    if (::getaddrinfo(server.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr)
        return sdk::Error::unavailable("cannot resolve " + server.host);
    Socket socket;
    for (auto* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
        socket.fd = ::socket(candidate->ai_family, candidate->ai_socktype, candidate->ai_protocol);
        if (socket.fd < 0) continue;
        if (::connect(socket.fd, candidate->ai_addr, candidate->ai_addrlen) == 0) break;
        ::close(socket.fd);
        socket.fd = -1;
    }
    ::freeaddrinfo(found);
    if (socket.fd < 0)
        return sdk::Error::unavailable("cannot connect to " + server.host + ":" + port);

    std::string request = method + " " + server.base_path + target +
                          " HTTP/1.1\r\nHost: " + server.host + ":" + port +
                          "\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST")
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    request += "\r\n" + body;
    for (std::size_t sent = 0; sent < request.size();) {
        if (!wait_for(socket.fd, POLLOUT, timeout_ms))
            return sdk::Error::unavailable("timed out sending to the server");
        const auto n =
            ::send(socket.fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return sdk::Error::unavailable("the server closed the connection");
        sent += static_cast<std::size_t>(n);
    }
    std::string raw;
    char buffer[16384];
    while (true) {
        if (!wait_for(socket.fd, POLLIN, timeout_ms))
            return sdk::Error::unavailable("timed out waiting for the server");
        const auto n = ::recv(socket.fd, buffer, sizeof buffer, 0);
        if (n < 0) return sdk::Error::unavailable("reading from the server failed");
        if (n == 0) break;
        raw.append(buffer, static_cast<std::size_t>(n));
    }
    const auto head_end = raw.find("\r\n\r\n");
    if (head_end == std::string::npos || raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12)
        return sdk::Error::unavailable("the server's answer is not HTTP");
    HttpAnswer answer;
    answer.status = std::atoi(raw.c_str() + 9);
    const std::string head = lower(raw.substr(0, head_end));
    std::string_view content = std::string_view(raw).substr(head_end + 4);
    if (head.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
        auto body_text = dechunk(content);
        if (!body_text) return sdk::Error::unavailable("the server's chunked answer is cut short");
        answer.body = std::move(*body_text);
    } else {
        answer.body = std::string(content);
        if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
            const std::size_t length = std::strtoull(head.c_str() + at + 17, nullptr, 10);
            if (answer.body.size() < length)
                return sdk::Error::unavailable("the server's answer is cut short");
            answer.body.resize(length);
        }
    }
    return answer;
}

}  // namespace admit::ticket::gate

#include "seat_stream_reader.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace admit::testing::catalog {

SseReader::SseReader(uint16_t port, const std::string& path, const std::string& authorization,
                     const std::string& last_event_id) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        fd_ = -1;
        return;
    }
    std::string request =
        "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
    if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
    request += "\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
        ::close(fd_);
        fd_ = -1;
    }
}

SseReader::~SseReader() {
    if (fd_ >= 0) ::close(fd_);
}

bool SseReader::wait_for(const std::string& needle, std::chrono::milliseconds timeout,
                         std::size_t from) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_.find(needle, from) == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (fd_ < 0 || left.count() <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buffer[65536];
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) {
            ::close(fd_);
            fd_ = -1;
            return received_.find(needle, from) != std::string::npos;
        }
        received_.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace admit::testing::catalog

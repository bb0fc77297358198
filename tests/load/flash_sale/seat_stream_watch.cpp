#include "seat_stream_watch.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace admit::load {

bool SeatStreamWatch::start(const std::string& host, uint16_t port, const std::string& schedule,
                            std::string& error, std::chrono::milliseconds patience) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (fd_ < 0 || ::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1 ||
        ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        error = "seat stream: cannot connect to " + host + ":" + std::to_string(port) + ": " +
                std::strerror(errno);
        return false;
    }
    const std::string request = "GET /api/v1/schedules/" + schedule +
                                "/seats/stream HTTP/1.1\r\nHost: bench\r\nAccept: "
                                "text/event-stream\r\n\r\n";
    if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
        error = "seat stream: cannot send the request";
        return false;
    }
    reader_ = std::thread([this] { run(); });
    std::unique_lock lock(mutex_);
    if (!snapshot_arrived_.wait_for(lock, patience, [this] { return snapshot_ || closed_; }) ||
        !snapshot_) {
        error = "seat stream: no snapshot within " + std::to_string(patience.count()) + " ms";
        return false;
    }
    return true;
}

void SeatStreamWatch::run() {
    std::string pending;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) {  // closed by stop() or by the server
            std::lock_guard lock(mutex_);
            closed_ = true;
            snapshot_arrived_.notify_all();
            return;
        }
        const auto at = Clock::now();
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (std::size_t end; (end = pending.find('\n', start)) != std::string::npos;
             start = end + 1) {
            line(pending.substr(start, end - start), at);
        }
        pending.erase(0, start);
    }
}

void SeatStreamWatch::line(const std::string& text, Clock::time_point at) {
    if (text.rfind("event: ", 0) == 0) {
        event_ = text.substr(7);
        return;
    }
    if (text.empty() || text == "\r") {
        if (event_ == "snapshot") {
            std::lock_guard lock(mutex_);
            snapshot_ = true;
            snapshot_arrived_.notify_all();
        }
        event_.clear();  // the frame ended
        return;
    }
    // data: {"seatIds":["a","b"],"status":"HELD"}
    if (event_ != "seat" || text.rfind("data: ", 0) != 0 ||
        text.find("\"status\":\"HELD\"") == std::string::npos)
        return;
    const auto open = text.find('[', text.find("\"seatIds\""));
    const auto close = text.find(']', open);
    if (open == std::string::npos || close == std::string::npos) return;
    std::lock_guard lock(mutex_);
    for (std::size_t q = text.find('"', open); q != std::string::npos && q < close;) {
        const auto q2 = text.find('"', q + 1);
        if (q2 == std::string::npos || q2 > close) break;
        held_.emplace(text.substr(q + 1, q2 - q - 1), at);  // the first time counts
        q = text.find('"', q2 + 1);
    }
}

bool SeatStreamWatch::await_held(std::size_t seats, std::chrono::milliseconds patience) {
    const auto until = Clock::now() + patience;
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (held_.size() >= seats) return true;
        }
        if (Clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void SeatStreamWatch::stop() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

std::unordered_map<std::string, SeatStreamWatch::Clock::time_point> SeatStreamWatch::held_at()
    const {
    std::lock_guard lock(mutex_);
    return held_;
}

}  // namespace admit::load

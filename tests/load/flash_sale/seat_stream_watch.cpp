#include "seat_stream_watch.hpp"

#include "chunked_body.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <string_view>

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
    std::string raw;      // received, not yet taken apart
    std::string pending;  // the body's bytes, not yet split into lines
    bool head_read = false, chunked = false;
    ChunkedBody body;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return stream_ended();  // closed by stop() or by the server
        const auto at = Clock::now();
        raw.append(buffer, static_cast<std::size_t>(n));
        if (!head_read) {
            const auto end = raw.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            std::string head = raw.substr(0, end);
            for (auto& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            // A proxy (nginx) passes a stream of unknown length to an HTTP/1.1 client chunked;
            // admitd itself writes the frames as they are.
            chunked = head.find("\r\ntransfer-encoding: chunked") != std::string::npos;
            raw.erase(0, end + 4);
            head_read = true;
        }
        bool body_over = false;  // the last chunk came, or the body no longer reads as chunks
        if (chunked) {
            body_over = !body.decode(raw, pending);
        } else {
            pending += raw;
            raw.clear();
        }
        std::size_t start = 0;
        for (std::size_t end; (end = pending.find('\n', start)) != std::string::npos;
             start = end + 1) {
            line(pending.substr(start, end - start), at);
        }
        pending.erase(0, start);
        if (body_over) return stream_ended();
    }
}

void SeatStreamWatch::stream_ended() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    snapshot_arrived_.notify_all();  // start() stops waiting for a snapshot that cannot come
}

void SeatStreamWatch::line(const std::string& text, Clock::time_point at) {
    if (text.rfind("event: ", 0) == 0) {
        event_ = text.substr(7);
        return;
    }
    if (text.empty() || text == "\r") {
        if (event_ == "snapshot") {
            std::lock_guard lock(mutex_);
            if (snapshot_) ++later_snapshots_;
            snapshot_ = true;
            snapshot_arrived_.notify_all();
        }
        event_.clear();  // the frame ended
        return;
    }
    if (event_ == "snapshot" && text.rfind("data: ", 0) == 0) {
        snapshot_seats(text, at);
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

void SeatStreamWatch::snapshot_seats(const std::string& text, Clock::time_point at) {
    // Rows of "seats": ["seatId","label","grade",x,y,"status"]; a HELD row ends in "HELD"].
    static constexpr std::string_view kHeld = "\"HELD\"]";
    std::lock_guard lock(mutex_);
    for (std::size_t end = text.find(kHeld); end != std::string::npos;
         end = text.find(kHeld, end + kHeld.size())) {
        const auto row = text.rfind("[\"", end);
        if (row == std::string::npos) break;
        const auto id_end = text.find('"', row + 2);
        if (id_end == std::string::npos || id_end > end) continue;
        held_.emplace(text.substr(row + 2, id_end - row - 2), at);  // the first time counts
    }
}

std::size_t SeatStreamWatch::later_snapshots() const {
    std::lock_guard lock(mutex_);
    return later_snapshots_;
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

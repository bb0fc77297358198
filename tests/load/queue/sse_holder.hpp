// SseHolder: holds many SSE streams open at once (GET <path> with a bearer token each), on a
// caller's io_context, each bound to a loopback source address (127.0.0.2, .3, ...: one
// address's ephemeral ports number about 28,000). It reads everything the server sends, notes
// when each stream's head and first event ("snapshot") arrived, and watches the "update" events
// for the stream's own join id in their "admitted" list, recording when it first arrived
// (wall clock, for comparison with the database's admitted_at). Not thread-safe: run the
// io_context on one thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace admit::load {

struct StreamSpec {
    std::string target;     ///< request target, e.g. /api/v1/schedules/S/queue/stream
    std::string bearer;     ///< token
    std::string join_id;    ///< the id whose admission this stream waits for
    std::string source_ip;  ///< local address to bind
};

class SseHolder {
  public:
    SseHolder(boost::asio::io_context& io, boost::asio::ip::tcp::endpoint server);
    ~SseHolder();
    SseHolder(const SseHolder&) = delete;
    SseHolder& operator=(const SseHolder&) = delete;

    /// Starts opening the streams, at most `concurrent` connection attempts in flight at a time.
    void open(std::vector<StreamSpec> specs, std::size_t concurrent = 512);
    /// Streams whose snapshot arrived / that failed (refused, closed, connect error).
    std::size_t ready() const { return ready_; }
    std::size_t failed() const { return failed_; }
    /// Streams that had their snapshot and were closed since (by the server or an error).
    std::size_t closed() const { return closed_; }
    std::size_t pending() const;
    /// Streams that saw their own join id admitted; the arrival times (seconds since the epoch).
    struct Told {
        std::string join_id;
        double at = 0;
    };
    std::vector<Told> told() const;
    /// Bytes received over all streams.
    uint64_t bytes() const { return bytes_; }
    /// Distinct first failure reasons with counts, "reason=count ...".
    std::string failure_summary() const;
    void close_all();

  private:
    struct Stream;
    void connect_next();
    void on_connected(Stream& s);
    void read(Stream& s);
    void scan(Stream& s, std::size_t from);
    void fail(Stream& s, const std::string& reason);
    /// The stream is no longer connecting: frees its slot for the next one.
    void settle(Stream& s);

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::endpoint server_;
    std::vector<std::unique_ptr<Stream>> streams_;
    std::size_t next_ = 0;
    std::size_t connecting_ = 0;
    std::size_t concurrent_ = 512;
    std::size_t ready_ = 0;
    std::size_t failed_ = 0;
    std::size_t closed_ = 0;
    uint64_t bytes_ = 0;
    std::vector<std::pair<std::string, std::size_t>> failures_;
};

}  // namespace admit::load

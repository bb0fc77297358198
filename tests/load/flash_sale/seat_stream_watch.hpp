// SeatStreamWatch: when the seat map's server-sent events (GET .../seats/stream) first showed each
// seat HELD, as a browser watching the sale would see it. It reads the stream on its own
// connection and thread, so the load's connections and timings are untouched. admitd writes the
// frames as they are; through nginx (FLEET=N) the body comes chunked (chunked_body.hpp).
// Thread-safety: start() and stop() from one thread; held_at() after stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace admit::load {

class SeatStreamWatch {
  public:
    using Clock = std::chrono::steady_clock;

    SeatStreamWatch() = default;
    ~SeatStreamWatch() { stop(); }
    SeatStreamWatch(const SeatStreamWatch&) = delete;
    SeatStreamWatch& operator=(const SeatStreamWatch&) = delete;

    /// Connects, asks for the stream of `schedule` and waits (at most `patience`) until its
    /// snapshot arrived whole, so that every change after it comes as a frame: a seat held
    /// before the stream opened would be HELD in the snapshot and never "seen". False (with
    /// `error`) when it cannot.
    bool start(const std::string& host, uint16_t port, const std::string& schedule,
               std::string& error, std::chrono::milliseconds patience = std::chrono::seconds(30));
    /// Waits until `seats` seats were seen HELD or `patience` passed; true when they were.
    bool await_held(std::size_t seats, std::chrono::milliseconds patience);
    /// Closes the connection and joins the reader. Idempotent.
    void stop();
    /// Seat id -> when a "seat" event or a snapshot first showed it HELD. A server sends a later
    /// snapshot instead of frames when it lost track of the changes (see the product README): a
    /// browser then shows the seat, so it counts. (The first snapshot, before the load, shows
    /// none of the sale's seats HELD.)
    std::unordered_map<std::string, Clock::time_point> held_at() const;
    /// Snapshots after the first (each means the server could not send the changes as frames).
    std::size_t later_snapshots() const;

  private:
    void run();
    /// The reader's end: marks the stream closed and wakes start().
    void stream_ended();
    void line(const std::string& text, Clock::time_point at);
    void snapshot_seats(const std::string& text, Clock::time_point at);

    int fd_ = -1;
    std::thread reader_;
    std::string event_;  ///< reader thread only: the current frame's event name
    mutable std::mutex mutex_;
    std::condition_variable snapshot_arrived_;
    bool snapshot_ = false;            ///< the snapshot frame ended (under mutex_)
    bool closed_ = false;              ///< the server closed the stream (under mutex_)
    std::size_t later_snapshots_ = 0;  ///< under mutex_
    std::unordered_map<std::string, Clock::time_point> held_;
};

}  // namespace admit::load

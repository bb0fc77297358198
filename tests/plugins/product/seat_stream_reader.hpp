// A blocking SSE client for tests: opens GET <path> and collects what the server streams.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace admit::testing::catalog {

class SseReader {
  public:
    /// Connects and sends the request; `authorization` and `last_event_id` (a reconnect's
    /// Last-Event-ID) may be empty.
    SseReader(uint16_t port, const std::string& path, const std::string& authorization = "",
              const std::string& last_event_id = "");
    ~SseReader();
    SseReader(const SseReader&) = delete;
    SseReader& operator=(const SseReader&) = delete;

    bool connected() const { return fd_ >= 0; }
    /// Reads until `needle` appears in what was received from offset `from` on, or `timeout`
    /// passes.
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout,
                  std::size_t from = 0);
    const std::string& received() const { return received_; }

  private:
    int fd_ = -1;
    std::string received_;
};

}  // namespace admit::testing::catalog

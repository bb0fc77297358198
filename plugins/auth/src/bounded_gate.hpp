// BoundedGate: the admission in front of argon2id hashing, fair between clients.
//
// At most `capacity` callers are inside at once (the global concurrency limit). Behind it waits a
// FIFO queue of at most `max_waiting` callers, each at most `max_wait`. One client (an IP address,
// as the host computed it through its trusted proxies) holds at most `per_client` places, inside
// and waiting together: a caller whose client already holds them is turned away at once with
// ADMIT_E_REJECTED (answered 429), so one client's flood fills only its own share and everyone
// else's calls still get through. A full queue or a wait that timed out is ADMIT_E_UNAVAILABLE
// (answered 503): only many clients at once can reach it.
//
// Thread-safe. A Ticket must not outlive its gate.
#pragma once

#include <admit/sdk/result.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace admit::auth {

struct GateLimits {
    int capacity = 2;                          ///< callers inside at once
    int max_waiting = 8;                       ///< callers queued, all clients together
    int per_client = 2;                        ///< places (inside + queued) one client may hold
    std::chrono::milliseconds max_wait{3000};  ///< longest wait in the queue
};

class BoundedGate {
  public:
    /// Holds one place inside the gate until destroyed.
    class Ticket {
      public:
        Ticket(BoundedGate* gate, std::string client) noexcept
            : gate_(gate), client_(std::move(client)) {}
        Ticket(Ticket&& other) noexcept
            : gate_(std::exchange(other.gate_, nullptr)), client_(std::move(other.client_)) {}
        Ticket& operator=(Ticket&&) = delete;
        ~Ticket() {
            if (gate_ != nullptr) gate_->leave(client_);
        }

      private:
        BoundedGate* gate_;
        std::string client_;
    };

    explicit BoundedGate(GateLimits limits);

    /// A ticket for `client`; ADMIT_E_REJECTED when that client already holds its share,
    /// ADMIT_E_UNAVAILABLE when the queue is full or the wait timed out.
    sdk::Result<Ticket> enter(std::string_view client);

    int inside() const;
    int waiting() const;
    /// Places (inside + queued) `client` holds now.
    int held_by(std::string_view client) const;

  private:
    void leave(const std::string& client) noexcept;
    void release_place(const std::string& client);  // mutex_ held

    const GateLimits limits_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    int inside_ = 0;
    std::deque<uint64_t> queue_;  ///< arrival numbers of the waiting callers, oldest first
    uint64_t next_arrival_ = 0;
    std::map<std::string, int, std::less<>> held_;  ///< places per client (only clients with any)
};

}  // namespace admit::auth

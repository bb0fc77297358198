// BoundedGate: lets at most `capacity` callers in at once and at most `max_waiting` wait (each at
// most `max_wait`); everyone else is turned away at once with ADMIT_E_UNAVAILABLE. Used to keep
// argon2id hashing from tying up more than a few host worker threads. Thread-safe.
#pragma once

#include <admit/sdk/result.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

namespace admit::auth {

class BoundedGate {
  public:
    /// Holds one place inside the gate until destroyed.
    class Ticket {
      public:
        explicit Ticket(BoundedGate* gate) noexcept : gate_(gate) {}
        Ticket(Ticket&& other) noexcept : gate_(std::exchange(other.gate_, nullptr)) {}
        Ticket& operator=(Ticket&&) = delete;
        ~Ticket() {
            if (gate_ != nullptr) gate_->leave();
        }

      private:
        BoundedGate* gate_;
    };

    BoundedGate(int capacity, int max_waiting, std::chrono::milliseconds max_wait);

    /// A ticket, or ADMIT_E_UNAVAILABLE when the gate and its queue are full or the wait timed out.
    sdk::Result<Ticket> enter();

    int inside() const;
    int waiting() const;

  private:
    void leave() noexcept;

    const int capacity_;
    const int max_waiting_;
    const std::chrono::milliseconds max_wait_;
    mutable std::mutex mutex_;
    std::condition_variable freed_;
    int inside_ = 0;
    int waiting_ = 0;
};

}  // namespace admit::auth

// TransactionState<State>: what a plugin gathers over one transaction to write once, just before
// its COMMIT (ABI 1.4 before-commit work). The host delivers a subscriber a batch of ready events
// in one transaction; each handler call adds to the State, and the whole batch is written at the
// end (the log plugin's audit chain, the product plugin's seat holds).
//
// open(tx) gives `tx`'s State. The transaction's first call starts it empty and registers two
// things with the transaction: `finish` as its before-commit work, and the forgetting of the
// State at its end, committed or rolled back (a rolled-back transaction's events come again, and
// what was gathered for it must not survive). current() gives the State of the transaction open
// on this thread, or nullptr.
//
// Thread-safety: the host runs one transaction's handlers, its before-commit work and its end on
// one thread, so the State lives on that thread (thread_local). Several threads may use one
// TransactionState at once, each with its own transaction.
#pragma once

#include <admit/sdk/db.hpp>
#include <admit/sdk/result.hpp>

#include <functional>
#include <utility>

namespace admit::sdk {

template <class State>
class TransactionState {
  public:
    /// Writes what the transaction gathered; its error rolls the transaction back.
    using Finish = std::function<Status(Tx&, State&)>;

    TransactionState(HostHandle host, Finish finish) : host_(host), finish_(std::move(finish)) {}
    TransactionState(const TransactionState&) = delete;
    TransactionState& operator=(const TransactionState&) = delete;

    /// `tx`'s State (see the file comment); an Error when the host did not take the
    /// registrations.
    Result<State*> open(Tx& tx) {
        Slot& slot = this_thread();
        if (slot.owner == this) return &slot.state;
        StringSink error;
        ADMIT_TRY(status_of(
            host_.api->tx_on_commit(tx.raw(), &TransactionState::ended, nullptr, error.get()),
            error));
        slot = Slot{this, State{}};
        ADMIT_TRY(tx.before_commit([this](Tx& end) -> Status {
            State* state = current();
            return state == nullptr ? Status{} : finish_(end, *state);
        }));
        return &slot.state;
    }

    /// The State of the transaction open on this thread, or nullptr when none was opened here.
    State* current() {
        Slot& slot = this_thread();
        return slot.owner == this ? &slot.state : nullptr;
    }

  private:
    struct Slot {
        const TransactionState* owner = nullptr;  ///< nullptr: no transaction open here
        State state{};
    };
    static Slot& this_thread() {
        thread_local Slot slot;
        return slot;
    }
    /// Called by the host exactly once when the transaction ended, on its thread.
    static void ended(void*, int32_t) noexcept { this_thread() = Slot{}; }

    HostHandle host_;
    Finish finish_;
};

}  // namespace admit::sdk

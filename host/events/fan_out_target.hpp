// FanOutTarget: the inproc backend's relay target. Copies each relayed outbox row into
// event_deliveries once per matching local subscription (in id order, so queue order per key is
// relay order) and marks the row relayed, all in the relay's transaction; after the commit it
// names each (subscriber, key hash) that got rows, so only the worker owning that share wakes. Rows
// no local subscription matches are marked relayed and go nowhere (pub/sub: an event without
// subscribers is not an error).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "host/events/outbox_relay.hpp"

namespace admit::events {

class FanOutTarget final : public RelayTarget {
  public:
    // A subscriber and the key hash (masked to 31 bits, as the dispatchers split keys) of rows
    // just queued for it.
    struct Queued {
        std::string subscriber;
        std::int64_t key_hash = 0;   // masked to 31 bits
        std::int64_t first_seq = 0;  // the lowest seq queued for these keys of this subscriber
    };
    using OnCommitted = std::function<void(const std::vector<Queued>&)>;
    // subscribers[i] receives rows matching patterns[i]. on_committed runs on the relay thread,
    // after a commit that queued rows.
    FanOutTarget(std::vector<std::string> subscribers, std::vector<std::string> patterns,
                 OnCommitted on_committed);

    Result<std::size_t> relay(pqxx::work& tx, std::size_t batch) override;
    void committed() override;

  private:
    std::string subscribers_literal_;
    std::string patterns_literal_;
    OnCommitted on_committed_;
    std::vector<Queued> queued_;  // by the last relay(), until committed()
};

}  // namespace admit::events

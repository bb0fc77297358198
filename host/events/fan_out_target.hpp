// FanOutTarget: the inproc backend's relay target. Copies each relayed outbox row into
// event_deliveries once per matching local subscription (in id order, so queue order per key is
// relay order) and marks the row relayed, all in the relay's transaction; then wakes the
// dispatchers. Rows no local subscription matches are marked relayed and go nowhere (pub/sub:
// an event without subscribers is not an error).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "host/events/outbox_relay.hpp"

namespace admit::events {

class FanOutTarget final : public RelayTarget {
  public:
    // subscribers[i] receives rows matching patterns[i]. on_committed runs on the relay thread.
    FanOutTarget(std::vector<std::string> subscribers, std::vector<std::string> patterns,
                 std::function<void()> on_committed);

    Result<std::size_t> relay(pqxx::work& tx, std::size_t batch) override;
    void committed() override;

  private:
    std::string subscribers_literal_;
    std::string patterns_literal_;
    std::function<void()> on_committed_;
};

}  // namespace admit::events

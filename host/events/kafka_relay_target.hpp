// KafkaRelayTarget: the Kafka backend's relay target. Produces each unrelayed outbox row to
// `<topic_prefix><topic>` with the event key (idempotent producer, acks=all, so per-partition
// order survives retries), waits for the delivery reports, and sets relayed_at only for rows whose
// report succeeded, in the relay's transaction. A row whose delivery failed stays unrelayed and is
// produced again on a later pass (consumers filter the duplicate by handled ids). If the relay
// crashes after producing but before committing, the rows are produced again: at-least-once.
//
// Thread-safety: used by the relay thread only.
#pragma once

#include "host/events/kafka_client.hpp"
#include "host/events/outbox_relay.hpp"

namespace admit::events {

class KafkaRelayTarget final : public RelayTarget {
  public:
    // Creates the producer; Error when the configuration is invalid.
    static Result<std::unique_ptr<KafkaRelayTarget>> create(const EventOptions& options);

    Result<std::size_t> relay(pqxx::work& tx, std::size_t batch) override;

  private:
    KafkaRelayTarget(const EventOptions& options, KafkaHandle producer);
    const EventOptions& options_;
    KafkaHandle producer_;
};

}  // namespace admit::events

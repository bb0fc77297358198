// KafkaSubscriber: the Kafka backend's consumer for one subscription (consumer group id =
// subscriber id, so hosts sharing a subscriber split partitions and each event reaches the
// subscriber once per group).
//
// Messages are taken in batches and split into workers_per_subscriber lanes by key (one key's
// events run in order on one lane; lanes run in parallel). Each lane runs up to delivery_batch
// messages in one transaction (DeliveryExecutor::run_direct_batch); when that rolls back (a
// handler failed, or a key of it is queued), each of them is handled by
// DeliveryExecutor::run_direct (handled ids + handler in one transaction); the batch's offsets
// are committed only after every message's transaction committed, or after the
// event was durably queued in event_deliveries for retry (handler failed) or because an earlier
// event of its key is still queued (per-key order for this subscriber). Queued events are then
// run by this subscriber's DeliveryDispatcher, exactly as on the inproc backend. While the
// database is unreachable the same message is retried (with backoff) and no offset is committed;
// a crash before the commit means redelivery, filtered by handled ids.
//
// Thread-safety: start()/stop() from the owner thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "host/events/delivery_executor.hpp"
#include "host/events/kafka_client.hpp"

namespace admit::events {

class KafkaSubscriber {
  public:
    // `on_queued` is called (consumer thread) after an event was put in the subscriber's queue.
    static Result<std::unique_ptr<KafkaSubscriber>> create(
        DeliveryContext context, std::shared_ptr<const DeliveryExecutor> executor,
        const std::string& pattern, std::function<void()> on_queued);
    ~KafkaSubscriber();
    KafkaSubscriber(const KafkaSubscriber&) = delete;
    KafkaSubscriber& operator=(const KafkaSubscriber&) = delete;

    Status start();
    void stop();  // finishes the message in hand, then leaves the group
    // False after a consumer error or while the database refuses to settle a message.
    bool healthy() const { return healthy_.load(); }

  private:
    struct MessageDeleter {
        void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
    };
    using Message = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

    KafkaSubscriber(DeliveryContext context, std::shared_ptr<const DeliveryExecutor> executor,
                    std::string subscription, std::function<void()> on_queued,
                    KafkaHandle consumer);
    void run();
    // Up to relay_batch messages: waits for the first, then takes what has been fetched.
    std::vector<Message> poll_batch();
    // Commits the offsets after the batch (asynchronously); called once all are settled.
    void commit(const std::vector<Message>& batch);
    // False when stopping before the message could be settled (its offset stays uncommitted).
    bool settle(const Event& event);

    DeliveryContext context_;
    std::shared_ptr<const DeliveryExecutor> executor_;
    std::string subscription_;
    std::function<void()> on_queued_;
    KafkaHandle consumer_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> healthy_{true};
    std::thread thread_;
};

}  // namespace admit::events

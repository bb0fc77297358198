// Thin RAII over librdkafka handles for the Kafka backend, and the message format.
//
// Message format: Kafka topic = topic_prefix + event topic; key = event key; value = payload;
// headers "admit-event-id" (decimal outbox id), "admit-topic" (event topic) and
// "admit-published-us" (decimal unix microseconds).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <librdkafka/rdkafka.h>

#include "host/common/result.hpp"
#include "host/events/event_types.hpp"

namespace admit::events {

struct KafkaHandleDeleter {
    void operator()(rd_kafka_t* handle) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

struct KafkaConfDeleter {
    void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;

// bootstrap.servers = options.brokers, then `defaults`, then options.properties (which win).
// Error{ErrorCode::CONFIG_INVALID_VALUE} names the offending property.
Result<KafkaConf> make_kafka_conf(const KafkaOptions& options,
                                  const std::map<std::string, std::string>& defaults);

// Creates a producer or consumer from `conf` (ownership passes to librdkafka on success).
Result<KafkaHandle> make_kafka_handle(rd_kafka_type_t type, KafkaConf conf);

inline constexpr const char* kHeaderEventId = "admit-event-id";
inline constexpr const char* kHeaderTopic = "admit-topic";
inline constexpr const char* kHeaderPublishedUs = "admit-published-us";

// Decodes a consumed message; std::nullopt when headers are missing or malformed.
std::optional<Event> event_from_message(const rd_kafka_message_t& message);

// The Kafka subscription for an event topic pattern: exact topic name, or a "^prefix.*" regex.
std::string kafka_subscription(const std::string& topic_prefix, const std::string& pattern);

}  // namespace admit::events

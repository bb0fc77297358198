#include "host/events/kafka_subscriber.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "host/events/background_priority.hpp"

namespace admit::events {

namespace {

constexpr int kPollMs = 50;

}  // namespace

Result<std::unique_ptr<KafkaSubscriber>> KafkaSubscriber::create(
    DeliveryContext context, std::shared_ptr<const DeliveryExecutor> executor,
    const std::string& pattern, std::function<void()> on_queued) {
    auto conf = make_kafka_conf(context.options.kafka,
                                {{"group.id", executor->subscriber()},
                                 {"enable.auto.commit", "false"},
                                 {"auto.offset.reset", "earliest"},
                                 {"allow.auto.create.topics", "true"},
                                 {"topic.metadata.refresh.interval.ms", "1000"},
                                 // low lag when quiet (the broker answers a fetch by then)
                                 {"fetch.wait.max.ms", "20"}});
    if (!conf) return conf.error();
    auto consumer = make_kafka_handle(RD_KAFKA_CONSUMER, std::move(conf.value()));
    if (!consumer) return consumer.error();
    rd_kafka_poll_set_consumer(consumer.value().get());
    return std::unique_ptr<KafkaSubscriber>(
        new KafkaSubscriber(context, std::move(executor),
                            kafka_subscription(context.options.kafka.topic_prefix, pattern),
                            std::move(on_queued), std::move(consumer.value())));
}

KafkaSubscriber::KafkaSubscriber(DeliveryContext context,
                                 std::shared_ptr<const DeliveryExecutor> executor,
                                 std::string subscription, std::function<void()> on_queued,
                                 KafkaHandle consumer)
    : context_(context),
      executor_(std::move(executor)),
      subscription_(std::move(subscription)),
      on_queued_(std::move(on_queued)),
      consumer_(std::move(consumer)) {}

KafkaSubscriber::~KafkaSubscriber() { stop(); }

Status KafkaSubscriber::start() {
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, subscription_.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, "kafka subscribe " + subscription_ +
                                                            " for " + executor_->subscriber() +
                                                            ": " + rd_kafka_err2str(err)};
    }
    thread_ = std::thread([this] {
        run_this_thread_in_background(context_.delivery_nice);
        run();
    });
    return {};
}

void KafkaSubscriber::stop() {
    stopping_.store(true);
    if (thread_.joinable()) thread_.join();
    consumer_.reset();  // leaves the group (rd_kafka_consumer_close)
}

std::vector<KafkaSubscriber::Message> KafkaSubscriber::poll_batch() {
    std::vector<Message> batch;
    int timeout_ms = kPollMs;
    while (batch.size() < context_.options.relay_batch && !stopping_.load()) {
        Message message(rd_kafka_consumer_poll(consumer_.get(), timeout_ms));
        if (!message) {
            if (batch.empty()) healthy_.store(true);  // idle without errors
            break;
        }
        timeout_ms = 0;  // take what is already fetched, do not wait for more
        if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                healthy_.store(false);
                spdlog::warn("events: kafka consumer {}: {}", executor_->subscriber(),
                             rd_kafka_message_errstr(message.get()));
            }
            continue;
        }
        batch.push_back(std::move(message));
    }
    return batch;
}

void KafkaSubscriber::run() {
    const std::size_t lanes = std::max<std::size_t>(1, context_.options.workers_per_subscriber);
    while (!stopping_.load()) {
        const auto batch = poll_batch();
        if (batch.empty()) continue;
        // Lanes by key: one key's events run in order on one lane; lanes run in parallel.
        std::vector<std::vector<Event>> lane_events(lanes);
        for (const auto& message : batch) {
            auto event = event_from_message(*message);
            if (!event) {
                spdlog::error(
                    "events: kafka consumer {} skipped a message without admit headers "
                    "(topic {}, partition {}, offset {})",
                    executor_->subscriber(), rd_kafka_topic_name(message->rkt), message->partition,
                    message->offset);
                continue;
            }
            const auto lane = std::hash<std::string>{}(event->key) % lanes;
            lane_events[lane].push_back(std::move(*event));
        }
        std::atomic<bool> all_settled{true};
        const std::size_t batch_size = std::max<std::size_t>(1, context_.options.delivery_batch);
        auto run_lane = [&](const std::vector<Event>& events) {
            for (std::size_t first = 0; first < events.size(); first += batch_size) {
                const auto end = events.begin() + static_cast<std::ptrdiff_t>(
                                                      std::min(first + batch_size, events.size()));
                const std::vector<Event> chunk(events.begin() + static_cast<std::ptrdiff_t>(first),
                                               end);
                if (chunk.size() > 1 && executor_->run_direct_batch(chunk)) continue;
                for (const auto& event : chunk) {  // one transaction per event, as ever
                    if (!settle(event)) {
                        all_settled.store(false);
                        return;
                    }
                }
            }
        };
        std::vector<std::thread> helpers;
        for (std::size_t lane = 1; lane < lanes; ++lane) {
            if (!lane_events[lane].empty())
                helpers.emplace_back([&, lane] {
                    run_this_thread_in_background(context_.delivery_nice);
                    run_lane(lane_events[lane]);
                });
        }
        run_lane(lane_events[0]);
        for (auto& helper : helpers) helper.join();
        if (!all_settled.load()) return;  // stopping: offsets stay uncommitted, messages come again
        commit(batch);
    }
}

void KafkaSubscriber::commit(const std::vector<Message>& batch) {
    // Highest offset per partition of the batch; every message of the batch is settled.
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_offsets;
    for (const auto& message : batch) {
        auto& next = next_offsets[{rd_kafka_topic_name(message->rkt), message->partition}];
        next = std::max(next, message->offset + 1);
    }
    rd_kafka_topic_partition_list_t* offsets =
        rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size()));
    for (const auto& [where, next] : next_offsets) {
        rd_kafka_topic_partition_list_add(offsets, where.first.c_str(), where.second)->offset =
            next;
    }
    const rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), offsets, 1 /* async */);
    rd_kafka_topic_partition_list_destroy(offsets);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::warn(
            "events: kafka consumer {} offset commit: {} (messages will be redelivered "
            "and filtered by handled ids)",
            executor_->subscriber(), rd_kafka_err2str(err));
    }
}

bool KafkaSubscriber::settle(const Event& event) {
    auto delay = context_.options.backoff_initial;
    while (!stopping_.load()) {
        switch (executor_->run_direct(event)) {
            case DeliveryOutcome::handled:
            case DeliveryOutcome::duplicate:
            case DeliveryOutcome::parked:
                healthy_.store(true);
                return true;
            case DeliveryOutcome::retrying:
                healthy_.store(true);
                if (on_queued_) on_queued_();
                return true;
            case DeliveryOutcome::blocked:
                if (executor_->enqueue(event, 0, "")) {
                    if (on_queued_) on_queued_();
                    return true;
                }
                break;
            case DeliveryOutcome::unavailable:
                break;
        }
        healthy_.store(false);
        const auto until = std::chrono::steady_clock::now() + delay;
        while (!stopping_.load() && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));  // stop() stays prompt
        }
        delay = std::min(delay * 2, context_.options.backoff_max);
    }
    return false;
}

}  // namespace admit::events

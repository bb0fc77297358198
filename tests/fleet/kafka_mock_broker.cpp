// kafka_mock_broker: hosts librdkafka's mock cluster (rd_kafka_mock_cluster_new) in a process of
// its own so that several admitd processes can use it as a Kafka cluster (a real Kafka protocol
// endpoint on loopback ports). scripts/fleet starts it for `--events kafka`.
//
//   kafka_mock_broker [--brokers 3] [--partitions 4] [--topics admit.a,admit.b]
//
// Once listening it prints exactly one line on stdout (flushed):
//   kafka mock listening on 127.0.0.1:PORT,127.0.0.1:PORT,...
// and serves until SIGTERM or SIGINT. Topics named by --topics are created up front with
// `partitions` partitions (others are created on first use by the clients' auto-create). The
// cluster lives in memory only: a restarted broker is an empty cluster.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void on_signal(int) { stop_requested = 1; }

}  // namespace

int main(int argc, char** argv) {
    int brokers = 3;
    int partitions = 4;
    std::string topics;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        if (key == "--brokers") {
            brokers = std::atoi(argv[i + 1]);
        } else if (key == "--partitions") {
            partitions = std::atoi(argv[i + 1]);
        } else if (key == "--topics") {
            topics = argv[i + 1];
        } else {
            std::fprintf(stderr, "kafka_mock_broker: unknown option %s\n", key.c_str());
            return 2;
        }
    }
    if (argc % 2 == 0 || brokers < 1 || partitions < 1) {
        std::fprintf(stderr,
                     "usage: kafka_mock_broker [--brokers N] [--partitions N] [--topics a,b]\n");
        return 2;
    }
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
    rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (host == nullptr) {
        std::fprintf(stderr, "kafka_mock_broker: %s\n", error);
        return 1;
    }
    rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(host, brokers);
    if (cluster == nullptr) {
        std::fprintf(stderr, "kafka_mock_broker: rd_kafka_mock_cluster_new failed\n");
        rd_kafka_destroy(host);
        return 1;
    }
    std::stringstream names(topics);
    for (std::string topic; std::getline(names, topic, ',');) {
        if (topic.empty()) continue;
        const auto err = rd_kafka_mock_topic_create(cluster, topic.c_str(), partitions,
                                                    brokers < 3 ? brokers : 3);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            std::fprintf(stderr, "kafka_mock_broker: topic %s: %s\n", topic.c_str(),
                         rd_kafka_err2str(err));
        }
    }
    std::signal(SIGTERM, on_signal);
    std::signal(SIGINT, on_signal);
    std::printf("kafka mock listening on %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    std::fflush(stdout);
    while (stop_requested == 0) rd_kafka_poll(host, 200);
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(host);
    return 0;
}

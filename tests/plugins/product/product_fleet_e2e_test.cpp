// product on two admitd sharing PostgreSQL and Redis, as behind a balancer: a buyer's seat-map
// stream is on either host, and either host's delivery thread may handle a reservation event.
// Every stream must hear every change, in version order, and a change the change list no longer
// holds (here: Redis lost the map) must reach the streams as a fresh snapshot.
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "tests/plugins/product/product_e2e_fixture.hpp"
#include "tests/plugins/product/seat_stream_reader.hpp"

namespace admit::testing::catalog {
namespace {

class ProductFleet : public ProductEndToEnd {
  protected:
    void SetUp() override {
        ProductEndToEnd::SetUp();
        if (HasFatalFailure()) return;
        second_ = std::make_unique<AdmitdProcess>(
            ADMIT_ADMITD_BINARY, std::vector<std::string>{"--config", venue_file_});
        auto port = second_->wait_until_serving();
        ASSERT_TRUE(port.has_value()) << second_->log();
        second_api_ = std::make_unique<Api>(*port);
    }

    /// reservation.held of `seat_id` by `reservation`, published through host `host` (0 or 1)
    /// in a transaction of its own.
    void hold(int host, const std::string& schedule_id, const std::string& reservation,
              const std::string& seat_id) {
        Api& api = host == 0 ? *api_ : *second_api_;
        api.expect(202, kAdmin, "POST", "/api/v1/test/events",
                   {{"topic", "reservation.held"},
                    {"key", schedule_id},
                    {"payload",
                     {{"scheduleId", schedule_id},
                      {"reservationId", reservation},
                      {"quantity", 1},
                      {"seatIds", {seat_id}}}}});
    }

    /// Waits for the stream's first snapshot to arrive whole; answers the offset after it.
    static std::size_t after_snapshot(SseReader& stream) {
        EXPECT_TRUE(stream.wait_for("event: snapshot", std::chrono::seconds(5)));
        EXPECT_TRUE(stream.wait_for("]]}\n\n", std::chrono::seconds(5)));  // the map's end
        const auto end = stream.received().find("]]}\n\n");
        return end == std::string::npos ? stream.received().size() : end + 5;
    }

    /// A seat-map stream of the schedule on each host, read past its first snapshot.
    struct Streams {
        std::unique_ptr<SseReader> on[2];
        std::size_t from[2] = {0, 0};  ///< where each one's frames after the snapshot begin
    };
    Streams open_streams(const std::string& schedule_id) {
        const std::string path = "/api/v1/schedules/" + schedule_id + "/seats/stream";
        Streams streams;
        for (int host = 0; host < 2; ++host) {
            streams.on[host] =
                std::make_unique<SseReader>((host == 0 ? *api_ : *second_api_).port(), path);
            streams.from[host] = after_snapshot(*streams.on[host]);
        }
        return streams;
    }

    /// The ids ("id: N") of the frames a stream received, in order.
    static std::vector<int64_t> frame_ids(const std::string& received) {
        std::vector<int64_t> ids;
        static const std::regex id_line("(^|\n)id: ([0-9]+)\r?\n");
        for (auto it = std::sregex_iterator(received.begin(), received.end(), id_line);
             it != std::sregex_iterator(); ++it)
            ids.push_back(std::stoll((*it)[2].str()));
        return ids;
    }

    std::unique_ptr<AdmitdProcess> second_;
    std::unique_ptr<Api> second_api_;
};

TEST_F(ProductFleet, EveryHostsStreamHearsEveryChangeWhicheverHostHandledIt) {
    auto [id, schedule_id] = scheduled_product(product_body());
    const auto seats = first_seat_ids(schedule_id, 12);
    Streams streams = open_streams(schedule_id);

    // Each hold in its own transaction, through either host: both hosts' delivery workers take
    // the subscriber's events, so each host handles some (often all) of them.
    for (std::size_t i = 0; i < seats.size(); ++i)
        hold(static_cast<int>(i % 2), schedule_id, "rsv_" + std::to_string(i), seats[i]);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto time_left = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
    };
    int64_t last_version = 0;
    for (int host = 0; host < 2; ++host) {
        SseReader* stream = streams.on[host].get();
        const std::size_t from = streams.from[host];
        for (const auto& seat : seats) {
            EXPECT_TRUE(stream->wait_for("\"" + seat + "\"", time_left(), from))
                << seat << " never reached the stream; after the snapshot it had:\n"
                << stream->received().substr(from);
        }
        for (const int64_t version : frame_ids(stream->received().substr(from)))
            last_version = std::max(last_version, version);
    }
    std::vector<std::vector<int64_t>> versions;
    for (int host = 0; host < 2; ++host) {
        SseReader* stream = streams.on[host].get();
        const std::size_t from = streams.from[host];
        // A change's id comes with its last frame (the stock frame after the seat frame): a
        // stream that showed every seat may still be reading the last change's id.
        EXPECT_TRUE(
            stream->wait_for("id: " + std::to_string(last_version) + "\n", time_left(), from))
            << stream->received().substr(from);
        // A delivery transaction's holds are one change: every change, each with the next
        // version, none twice.
        versions.push_back(frame_ids(stream->received().substr(from)));
        ASSERT_FALSE(versions.back().empty()) << stream->received().substr(from);
        for (std::size_t i = 1; i < versions.back().size(); ++i)
            EXPECT_EQ(versions.back()[i], versions.back()[i - 1] + 1)
                << stream->received().substr(from);
    }
    EXPECT_EQ(versions[0], versions[1]);  // both hosts' streams heard the same changes
    // Both hosts' seat map GETs show every hold (PostgreSQL is the record they agree with).
    EXPECT_EQ(pg_scalar(storage_.pg_url(),
                        "SELECT count(*) FROM product.seat_states WHERE schedule_id = '" +
                            schedule_id + "' AND status = 'HELD'"),
              static_cast<int64_t>(seats.size()));
    for (Api* api : {api_.get(), second_api_.get()}) {
        EXPECT_TRUE(eventually([&] {
            const auto map =
                api->expect(200, kAnonymous, "GET", "/api/v1/schedules/" + schedule_id + "/seats");
            for (std::size_t i = 0; i < seats.size(); ++i)
                if (map.at("seats").as_array()[i].as_array()[5] != "HELD") return false;
            return true;
        }));
    }
}

// A browser's EventSource reconnects by itself, naming the last id it saw, and behind a balancer
// it may land on the other host: that host kept following the schedule while the client was
// away, so its replay ring holds what the client missed (no snapshot needed).
TEST_F(ProductFleet, AReconnectWithLastEventIdToTheOtherHostGetsWhatItMissed) {
    auto [id, schedule_id] = scheduled_product(product_body());
    const auto seats = first_seat_ids(schedule_id, 2);
    Streams streams = open_streams(schedule_id);
    hold(0, schedule_id, "rsv_seen", seats[0]);
    ASSERT_TRUE(streams.on[1]->wait_for(seats[0], std::chrono::seconds(10), streams.from[1]));
    ASSERT_TRUE(streams.on[1]->wait_for("\nid: ", std::chrono::seconds(5), streams.from[1]));
    const auto seen = frame_ids(streams.on[1]->received().substr(streams.from[1]));
    ASSERT_FALSE(seen.empty());
    streams.on[1].reset();  // the client on the second host goes away

    hold(0, schedule_id, "rsv_missed", seats[1]);
    ASSERT_TRUE(streams.on[0]->wait_for(seats[1], std::chrono::seconds(10), streams.from[0]));

    const std::string path = "/api/v1/schedules/" + schedule_id + "/seats/stream";
    SseReader resumed(second_api_->port(), path, "", std::to_string(seen.back()));
    EXPECT_TRUE(resumed.wait_for(seats[1], std::chrono::seconds(10)))
        << resumed.received().substr(0, 2000);
    EXPECT_EQ(resumed.received().find("event: snapshot"), std::string::npos)
        << resumed.received().substr(0, 2000);
    EXPECT_EQ(resumed.received().find(seats[0]), std::string::npos)
        << resumed.received().substr(0, 2000);
}

TEST_F(ProductFleet, StreamsGetASnapshotWhenRedisLostTheMap) {
    auto [id, schedule_id] = scheduled_product(product_body());
    const auto seats = first_seat_ids(schedule_id, 2);
    Streams streams = open_streams(schedule_id);
    hold(0, schedule_id, "rsv_before", seats[0]);
    std::size_t before[2];
    for (int host = 0; host < 2; ++host) {
        ASSERT_TRUE(
            streams.on[host]->wait_for(seats[0], std::chrono::seconds(10), streams.from[host]));
        before[host] = streams.on[host]->received().size();
    }

    // The map and its change list are gone; the next change finds no map to apply to.
    const std::string del = "redis-cli -p " + std::to_string(storage_.redis_port()) +
                            " DEL product:seats:" + schedule_id + " product:seats:" + schedule_id +
                            ":changes >/dev/null";
    ASSERT_EQ(std::system(del.c_str()), 0);
    hold(1, schedule_id, "rsv_after", seats[1]);

    // Each host's relay rebuilds the map from PostgreSQL, sees the version jump and sends its
    // streams the whole map: the hold from before the loss is in it. The hold made after the
    // loss is in it too, or, when the map was rebuilt before that hold committed, comes as a
    // frame after it.
    for (int host = 0; host < 2; ++host) {
        SseReader& stream = *streams.on[host];
        ASSERT_TRUE(stream.wait_for("event: snapshot", std::chrono::seconds(10), before[host]))
            << stream.received().substr(before[host], 2000);
        const auto snapshot = stream.received().find("event: snapshot", before[host]);
        ASSERT_TRUE(stream.wait_for("]]}\n\n", std::chrono::seconds(5), snapshot));
        const auto map_end = stream.received().find("]]}\n\n", snapshot);
        auto held_in_snapshot = [&](const std::string& seat) {
            // its row: ["seatId","label","grade",x,y,"status"]
            const std::string& text = stream.received();
            const auto row = text.find("[\"" + seat + "\"", snapshot);
            const auto end = text.find(']', row);
            return row < map_end && end != std::string::npos &&
                   text.substr(row, end - row).find("\"HELD\"") != std::string::npos;
        };
        EXPECT_TRUE(held_in_snapshot(seats[0])) << stream.received().substr(snapshot, 2000);
        if (!held_in_snapshot(seats[1])) {
            EXPECT_TRUE(stream.wait_for("{\"seatIds\":[\"" + seats[1] + "\"],\"status\":\"HELD\"}",
                                        std::chrono::seconds(10), map_end))
                << stream.received().substr(map_end, 2000);
        }
    }
}

}  // namespace
}  // namespace admit::testing::catalog

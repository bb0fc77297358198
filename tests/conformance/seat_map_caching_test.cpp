// The seat map's transfer cost and the seat stream's resumption, on the wire: a gzip variant
// when Accept-Encoding allows it, a strong ETag per representation and 304 on If-None-Match, and
// an SSE reconnect with Last-Event-ID that gets the changes it missed instead of a snapshot.
#include <zlib.h>

#include "tests/conformance/conformance_fixture.hpp"

namespace admit::testing::conformance {
namespace {

using http::testing::RawClient;

std::string seat_map_request(const std::string& schedule, const std::string& extra = "") {
    return "GET /api/v1/schedules/" + schedule + "/seats HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra +
           "\r\n";
}

std::optional<std::string> gunzip(const std::string& packed) {
    z_stream stream{};
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return std::nullopt;
    std::string out(packed.size() * 20 + 1024, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
    stream.avail_in = static_cast<uInt>(packed.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    inflateEnd(&stream);
    if (status != Z_STREAM_END) return std::nullopt;
    return out;
}

TEST_F(Conformance, TheSeatMapIsServedGzippedWhenTheClientTakesIt) {
    const auto schedule = scheduled_performance();
    auto plain = exchange(seat_map_request(schedule));
    ASSERT_TRUE(plain);
    ASSERT_EQ(plain->status, 200);
    EXPECT_EQ(plain->header("content-encoding"), "");
    EXPECT_NE(plain->header("vary").find("Accept-Encoding"), std::string::npos);

    auto packed = exchange(seat_map_request(schedule, "Accept-Encoding: br, gzip;q=0.8\r\n"));
    ASSERT_TRUE(packed);
    ASSERT_EQ(packed->status, 200);
    EXPECT_EQ(packed->header("content-encoding"), "gzip");
    EXPECT_LT(packed->body.size() * 2, plain->body.size()) << "gzip should at least halve it";
    auto unpacked = gunzip(packed->body);
    ASSERT_TRUE(unpacked);
    EXPECT_EQ(*unpacked, plain->body);
    // A strong ETag names exact bytes: the two representations have different tags.
    EXPECT_NE(packed->header("etag"), "");
    EXPECT_NE(packed->header("etag"), plain->header("etag"));

    auto refused = exchange(seat_map_request(schedule, "Accept-Encoding: gzip;q=0, br\r\n"));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->header("content-encoding"), "");
    EXPECT_EQ(refused->body, plain->body);
}

TEST_F(Conformance, TheSeatMapAnswers304UntilASeatChanges) {
    const auto schedule = scheduled_performance();
    auto first = exchange(seat_map_request(schedule));
    ASSERT_TRUE(first);
    const std::string etag = first->header("etag");
    ASSERT_FALSE(etag.empty());
    ASSERT_EQ(etag.front(), '"');

    RawClient client(port_);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(
        client.send(seat_map_request(schedule, "If-None-Match: " + etag + "\r\n") +
                    seat_map_request(schedule, "If-None-Match: W/" + etag + "\r\n") +
                    seat_map_request(schedule, "If-None-Match: \"other\", " + etag + "\r\n") +
                    seat_map_request(schedule, "If-None-Match: \"other\"\r\n")));
    for (int i = 0; i < 3; ++i) {
        auto not_modified = client.read_reply();
        ASSERT_TRUE(not_modified) << i;
        EXPECT_EQ(not_modified->status, 304) << i;
        EXPECT_TRUE(not_modified->body.empty()) << i;
        EXPECT_EQ(not_modified->header("etag"), etag) << i;
    }
    auto changed_tag = client.read_reply();
    ASSERT_TRUE(changed_tag);
    EXPECT_EQ(changed_tag->status, 200);
    EXPECT_EQ(changed_tag->body, first->body);

    // A seat is held: the map changes, and so does its tag.
    auto map = boost::json::parse(first->body);
    const std::string seat(map.at("seats").as_array()[0].as_array()[0].as_string());
    publish("reservation.held", schedule,
            {{"reservationId", "rsv_c1"}, {"seatIds", {seat}}, {"quantity", 1}});
    EXPECT_TRUE(http::testing::eventually(
        [&] {
            auto again = exchange(seat_map_request(schedule, "If-None-Match: " + etag + "\r\n"));
            return again && again->status == 200 && again->header("etag") != etag &&
                   again->body.find("HELD") != std::string::npos;
        },
        std::chrono::seconds(10)));
}

TEST_F(Conformance, ASeatStreamReconnectWithLastEventIdGetsWhatItMissed) {
    const auto schedule = scheduled_performance();
    auto map = boost::json::parse(exchange(seat_map_request(schedule))->body);
    const auto& seats = map.at("seats").as_array();
    const std::string first_seat(seats[0].as_array()[0].as_string());
    const std::string second_seat(seats[1].as_array()[0].as_string());
    const std::string stream_request = "GET /api/v1/schedules/" + schedule +
                                       "/seats/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       "Accept: text/event-stream\r\n";

    // First connection: snapshot, then a change whose last frame carries the id.
    std::string last_id;
    {
        RawClient stream(port_);
        ASSERT_TRUE(stream.connected());
        ASSERT_TRUE(stream.send(stream_request + "\r\n"));
        ASSERT_TRUE(stream.read_until("event: snapshot", std::chrono::seconds(10)));
        publish("reservation.held", schedule,
                {{"reservationId", "rsv_s1"}, {"seatIds", {first_seat}}, {"quantity", 1}});
        ASSERT_TRUE(stream.read_until("id: ", std::chrono::seconds(10)));
        auto line = stream.read_until("\n", std::chrono::seconds(5));
        ASSERT_TRUE(line);
        last_id = line->substr(0, line->size() - 1);
        ASSERT_FALSE(last_id.empty());
    }

    // Meanwhile another seat is held.
    publish("reservation.held", schedule,
            {{"reservationId", "rsv_s2"}, {"seatIds", {second_seat}}, {"quantity", 1}});
    EXPECT_TRUE(http::testing::eventually(
        [&] {
            auto now = exchange(seat_map_request(schedule));
            return now && now->status == 200 &&
                   boost::json::parse(now->body).at("seats").as_array()[1].as_array()[5] == "HELD";
        },
        std::chrono::seconds(10)));

    // The reconnect names the last id it saw: it gets the second change and no snapshot.
    RawClient resumed(port_);
    ASSERT_TRUE(resumed.connected());
    ASSERT_TRUE(resumed.send(stream_request + "Last-Event-ID: " + last_id + "\r\n\r\n"));
    auto missed = resumed.read_until(second_seat, std::chrono::seconds(10));
    ASSERT_TRUE(missed);
    EXPECT_EQ(missed->find("event: snapshot"), std::string::npos) << *missed;
    EXPECT_EQ(missed->find(first_seat), std::string::npos) << *missed;

    // An id the server no longer holds (or never sent): a fresh snapshot.
    RawClient unknown(port_);
    ASSERT_TRUE(unknown.connected());
    ASSERT_TRUE(unknown.send(stream_request + "Last-Event-ID: 12345\r\n\r\n"));
    EXPECT_TRUE(unknown.read_until("event: snapshot", std::chrono::seconds(10)));
}

}  // namespace
}  // namespace admit::testing::conformance

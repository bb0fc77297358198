// Holding the queue's SSE stream keeps the place (issue 16: users who neither poll nor hold a
// stream past the grace window leave the line), through real admitd processes. The venue's grace
// window is 3 s, the stale sweep runs every second, and each host refreshes its streaming users
// every grace / 3. Absence is never proven by sleeping: a quiet user who joined after the
// streamer last spoke is the sentinel; once the sweep has removed it, the streamer (seen earlier)
// would have been removed too, unless its stream kept it.
#include "queue_e2e_fixture.hpp"
#include "tests/plugins/product/seat_stream_reader.hpp"

#include <cstdlib>
#include <memory>
#include <string_view>

namespace admit::testing {
namespace {

using QueueStreamPresence = QueueEndToEnd;

std::unique_ptr<catalog::SseReader> open_stream(uint16_t port, const std::string& schedule,
                                                const std::string& user) {
    return std::make_unique<catalog::SseReader>(
        port, "/api/v1/schedules/" + schedule + "/queue/stream", "Bearer test:customer:" + user);
}

class StreamPresenceCase : public QueueStreamPresence {
  protected:
    int64_t joins_in(const std::string& user, const std::string& state) {
        return pg_scalar("SELECT count(*) FROM queue.joins WHERE user_id = '" + user +
                         "' AND state = '" + state + "'");
    }
    /// The admittedTotal of the first message in an SSE transcript, or -1 if there is none.
    static int64_t admitted_total_in(const std::string& transcript) {
        static constexpr std::string_view key = "\"admittedTotal\":";
        const auto at = transcript.find(key);
        if (at == std::string::npos) return -1;
        return std::strtoll(transcript.c_str() + at + key.size(), nullptr, 10);
    }
    /// A user who joins now and never polls: awaits its removal by the stale sweep.
    bool quiet_user_leaves(const std::string& user, const std::string& schedule) {
        if (join(user, schedule).status != 201) return false;
        return await([&] { return joins_in(user, "EXPIRED") == 1; }, std::chrono::seconds(20));
    }
};

TEST_F(StreamPresenceCase, AUserWhoOnlyHoldsAStreamKeepsThePlaceAndIsAdmitted) {
    const std::string schedule = "sch_ga_30_queued";
    ASSERT_EQ(join("usr_opener", schedule).status, 201);
    ASSERT_EQ(admin("POST", schedule, "pause").status, 200);
    auto joined = join("usr_streamer", schedule);
    ASSERT_EQ(joined.status, 201) << joined.body;
    const std::string join_id = text_of(json_of(joined), "joinId");
    auto stream = open_stream(ports_[0], schedule, "usr_streamer");
    ASSERT_TRUE(stream->wait_for("event: snapshot", std::chrono::seconds(5))) << stream->received();
    // The opener may have been admitted by a tick between its join and the pause: the admission
    // awaited below is the one after the snapshot's count, whatever that count is.
    const int64_t admitted_before = admitted_total_in(stream->received());
    ASSERT_GE(admitted_before, 0) << stream->received();

    // Two grace windows pass (two quiet users joined later are swept): the streamer, which never
    // polls, is still waiting.
    ASSERT_TRUE(quiet_user_leaves("usr_quiet_1", schedule));
    EXPECT_EQ(joins_in("usr_streamer", "WAITING"), 1);
    ASSERT_TRUE(quiet_user_leaves("usr_quiet_2", schedule));
    EXPECT_EQ(joins_in("usr_streamer", "WAITING"), 1);
    // It neither polled nor streamed: admitted before the pause, or swept since.
    EXPECT_EQ(joins_in("usr_opener", "WAITING"), 0);

    // The sale resumes: the streamer is admitted and hears it on its stream.
    ASSERT_EQ(admin("POST", schedule, "resume").status, 200);
    ASSERT_TRUE(stream->wait_for("\"admittedTotal\":" + std::to_string(admitted_before + 1),
                                 std::chrono::seconds(10)))
        << stream->received();
    const std::string& got = stream->received();
    const auto admitted_at = got.find("\"admitted\":[\"");
    ASSERT_NE(admitted_at, std::string::npos) << got;
    EXPECT_NE(got.substr(admitted_at, got.find('\n', admitted_at) - admitted_at).find(join_id),
              std::string::npos)
        << got;
    EXPECT_EQ(joins_in("usr_streamer", "ADMITTED"), 1);
    auto admitted = status("usr_streamer", schedule);
    EXPECT_EQ(text_of(json_of(admitted), "status"), "ADMITTED") << admitted.body;
}

TEST_F(StreamPresenceCase, AfterTheStreamClosesTheUserLeavesAfterTheGraceWindow) {
    // The stream is held on a second host: the host that sweeps need not be the one streaming.
    spawn_admitd();
    ASSERT_EQ(ports_.size(), 2u);
    const std::string schedule = "sch_ga_30_queued";
    ASSERT_EQ(join("usr_opener", schedule).status, 201);
    ASSERT_EQ(admin("POST", schedule, "pause").status, 200);
    ASSERT_EQ(join("usr_streamer", schedule, 1).status, 201);
    auto stream = open_stream(ports_[1], schedule, "usr_streamer");
    ASSERT_TRUE(stream->wait_for("event: snapshot", std::chrono::seconds(5))) << stream->received();
    ASSERT_TRUE(quiet_user_leaves("usr_quiet", schedule));
    EXPECT_EQ(joins_in("usr_streamer", "WAITING"), 1);

    // The client goes away and never polls: it leaves the line after the grace window.
    stream.reset();
    EXPECT_TRUE(
        await([&] { return joins_in("usr_streamer", "EXPIRED") == 1; }, std::chrono::seconds(20)));
    EXPECT_EQ(status("usr_streamer", schedule).status, 404);
    EXPECT_GE(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.expired' "
                        "AND payload::jsonb->>'userId' = 'usr_streamer'"),
              1);
}

}  // namespace
}  // namespace admit::testing

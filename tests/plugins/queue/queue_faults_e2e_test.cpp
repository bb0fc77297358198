// Queue plugin faults, end to end on isolated storage (a private Redis each, so FLUSHALL touches
// no other test): Redis losing the line mid-queue, and two admitd hosts sharing one database and
// one Redis never admitting the same place twice; the stream-summary scripts on that Redis.
#include "queue_e2e_fixture.hpp"
#include "tests/plugins/product/seat_stream_reader.hpp"

#include <map>
#include <sstream>

namespace admit::testing {
namespace {

using QueueFaults = QueueEndToEnd;

// The summaries recent_updates.lua answers, as "version:firstAdmittedId" (each line of
// redis-cli's raw output is one JSON text).
std::vector<std::string> versions_in(const std::string& output) {
    std::vector<std::string> out;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        boost::system::error_code ec;
        auto json = boost::json::parse(line, ec);
        if (ec || !json.is_object()) {
            out.push_back("unparsable: " + line);
            continue;
        }
        const auto& object = json.as_object();
        const auto& admitted = object.at("admitted").as_array();
        out.push_back(std::to_string(object.at("version").as_int64()) + ":" +
                      std::string(admitted.empty() ? "" : admitted[0].as_string().c_str()));
    }
    return out;
}

TEST_F(QueueFaults, TheSummaryScriptsNumberKeepAndAnswerWhatAHostHasNotSent) {
    const std::string dir = QUEUE_SCRIPT_DIR;
    const std::string keys = "queue:{sch_probe}:meta queue:{sch_probe}:update";
    auto post = [&](int n, int keep) {
        return redis_cli("--eval " + dir + "/post_update.lua " + keys +
                         " queue:{sch_probe}:updates , '{\"admitted\":[\"qj_" + std::to_string(n) +
                         "\"]' " + std::to_string(keep) + " 3600");
    };
    auto unsent = [&](int sent, int first_sight) {
        return versions_in(redis_cli("--eval " + dir +
                                     "/recent_updates.lua queue:{sch_probe}:meta "
                                     "queue:{sch_probe}:updates , " +
                                     std::to_string(sent) + " " + std::to_string(first_sight)));
    };
    using Seen = std::vector<std::string>;
    for (int n = 1; n <= 5; ++n)
        ASSERT_EQ(post(n, 64), std::to_string(n) + "\n") << "numbered in order";
    EXPECT_EQ(unsent(2, 4), (Seen{"3:qj_3", "4:qj_4", "5:qj_5"})) << "every one after 2";
    EXPECT_EQ(unsent(5, 4), Seen{}) << "nothing after the newest";
    EXPECT_EQ(unsent(-1, 2), (Seen{"4:qj_4", "5:qj_5"})) << "first sight: the newest 2";
    EXPECT_EQ(unsent(40, 4), (Seen{"1:qj_1", "2:qj_2", "3:qj_3", "4:qj_4", "5:qj_5"}))
        << "numbered anew (all older than what was sent): every kept one";
    // The newest summary is also kept alone, for hosts of the previous build.
    const auto newest = versions_in(redis_cli("GET queue:{sch_probe}:update"));
    EXPECT_EQ(newest, Seen{"5:qj_5"});
    // Keeping 3: a host that sent 1 gets what is left of 2..6, and sees the gap by the versions.
    ASSERT_EQ(post(6, 3), "6\n");
    EXPECT_EQ(unsent(1, 4), (Seen{"4:qj_4", "5:qj_5", "6:qj_6"}));
    // The meta hash lost (Redis lost the line): numbering starts again and the old list goes.
    ASSERT_NE(redis_cli("DEL queue:{sch_probe}:meta").find("1"), std::string::npos);
    ASSERT_EQ(post(7, 64), "1\n");
    EXPECT_EQ(unsent(6, 4), Seen{"1:qj_7"});
}

TEST_F(QueueFaults, RedisFlushallMidQueueRebuildsTheLineInOrderAndAdmitsNobodyTwice) {
    const std::string schedule = "sch_ga_100_queued";
    ASSERT_EQ(join("usr_opener", schedule).status, 201);
    ASSERT_EQ(admin("POST", schedule, "pause").status, 200);
    std::vector<std::string> users;
    for (int i = 0; i < 10; ++i) {
        users.push_back("usr_w" + std::to_string(i));
        ASSERT_EQ(join(users.back(), schedule).status, 201);
    }
    std::map<std::string, int64_t> before;
    for (const auto& user : users)
        before[user] = json_of(status(user, schedule)).at("position").as_int64();

    ASSERT_NE(redis_cli("FLUSHALL").find("OK"), std::string::npos);
    // An operator's write right after the loss recreates part of the meta hash: it must not pass
    // for a rebuilt line.
    ASSERT_EQ(admin("POST", schedule, "pause").status, 200);
    // Every place comes back at the same position (a client may first see 503 QUEUE_RECOVERING).
    for (const auto& user : users) {
        HttpResult answer;
        ASSERT_TRUE(await([&] {
            answer = status(user, schedule);
            if (answer.status == 503) {
                EXPECT_EQ(code_of(answer), "QUEUE_RECOVERING");
            }
            return answer.status == 200;
        })) << answer.body;
        EXPECT_EQ(json_of(answer).at("position").as_int64(), before[user]) << user;
    }

    // While another host holds the rebuild lock, clients are told to come back, and nobody is
    // admitted (the operator view says the same).
    ASSERT_NE(redis_cli("FLUSHALL").find("OK"), std::string::npos);
    redis_cli("SET 'queue:{" + schedule + "}:rebuild' other-host PX 60000");
    auto recovering = status(users[0], schedule);
    EXPECT_EQ(recovering.status, 503) << recovering.body;
    EXPECT_EQ(code_of(recovering), "QUEUE_RECOVERING");
    EXPECT_EQ(recovering.headers["retry-after"], "2");
    EXPECT_EQ(code_of(join("usr_newcomer", schedule)), "QUEUE_RECOVERING");
    EXPECT_EQ(code_of(admin("GET", schedule, "")), "QUEUE_RECOVERING");
    redis_cli("DEL 'queue:{" + schedule + "}:rebuild'");
    for (const auto& user : users) {
        HttpResult answer;
        ASSERT_TRUE(await([&] {
            answer = status(user, schedule);
            return answer.status == 200;
        })) << answer.body;
        EXPECT_EQ(json_of(answer).at("position").as_int64(), before[user]) << user;
    }

    // Admissions resume from the rebuilt line, in order, each place once.
    ASSERT_EQ(admin("POST", schedule, "rate", R"({"admitPerSecond": 3})").status, 200);
    ASSERT_EQ(admin("POST", schedule, "resume").status, 200);
    ASSERT_TRUE(await(
        [&] {
            for (const auto& user : users) (void)status(user, schedule);  // stay seen
            return pg_scalar("SELECT count(*) FROM queue.joins WHERE state = 'WAITING'") == 0;
        },
        std::chrono::seconds(30)));
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.admissions"), 11);
    EXPECT_EQ(pg_scalar("SELECT count(DISTINCT user_id) FROM queue.admissions"), 11);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.admitted'"),
              11);
    // In line order: a later position never got an earlier fencing token.
    for (std::size_t i = 0; i < users.size(); ++i) {
        for (std::size_t j = 0; j < users.size(); ++j) {
            if (before[users[i]] >= before[users[j]]) continue;
            EXPECT_LE(pg_scalar("SELECT admit_fence FROM queue.admissions WHERE user_id = '" +
                                users[i] + "'"),
                      pg_scalar("SELECT admit_fence FROM queue.admissions WHERE user_id = '" +
                                users[j] + "'"))
                << users[i] << " before " << users[j];
        }
    }

    // A revoked entry token stays revoked after Redis loses everything again.
    const auto admitted = await_admitted(users[0], schedule);
    ASSERT_FALSE(admitted.empty());
    ASSERT_EQ(as(users[0], "DELETE", "/api/v1/schedules/" + schedule + "/queue").status, 204);
    ASSERT_NE(redis_cli("FLUSHALL").find("OK"), std::string::npos);
    auto refused = hold_units(users[0], schedule, 1, text_of(admitted, "entryToken"));
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(code_of(refused), "ENTRY_REQUIRED");
    // Another admitted user's token still works after the flush (it is verified locally).
    const auto other = await_admitted(users[1], schedule);
    ASSERT_FALSE(other.empty());
    auto held = hold_units(users[1], schedule, 1, text_of(other, "entryToken"));
    EXPECT_EQ(held.status, 201) << held.body;
}

TEST_F(QueueFaults, TwoHostsNeverAdmitTheSamePlace) {
    spawn_admitd();
    ASSERT_EQ(ports_.size(), 2u);
    const std::string schedule = "sch_ga_1000_queued";
    ASSERT_EQ(join("usr_opener", schedule).status, 201);
    ASSERT_EQ(admin("POST", schedule, "rate", R"({"admitPerSecond": 4})").status, 200);
    std::vector<std::string> users{"usr_opener"};
    for (int i = 0; i < 30; ++i) {
        users.push_back("usr_h" + std::to_string(i));
        ASSERT_EQ(join(users.back(), schedule, i % 2).status, 201);
    }
    // The last user listens on both hosts: the admission reaches each stream, whichever host
    // ran the tick (the last place is admitted about 8 s from now at 4 per second).
    const std::string last_join = text_of(json_of(status(users.back(), schedule)), "joinId");
    ASSERT_FALSE(last_join.empty());
    std::vector<std::unique_ptr<catalog::SseReader>> streams;
    for (uint16_t port : ports_) {
        streams.push_back(std::make_unique<catalog::SseReader>(
            port, "/api/v1/schedules/" + schedule + "/queue/stream",
            "Bearer test:customer:" + users.back()));
        ASSERT_TRUE(streams.back()->wait_for("event: snapshot", std::chrono::seconds(5)));
    }
    // Everyone admitted from now on must be named on both streams, whichever host's tick admitted
    // them and however close two ticks came (a host relays one merged message per second).
    std::vector<std::string> admitted_later;
    for (std::size_t i = 0; i < users.size(); ++i) {
        const std::string join_id =
            text_of(json_of(status(users[i], schedule, static_cast<int>(i % 2))), "joinId");
        ASSERT_FALSE(join_id.empty()) << users[i];
        if (pg_scalar("SELECT count(*) FROM queue.joins WHERE state = 'ADMITTED' AND join_id = '" +
                      join_id + "'") == 0)
            admitted_later.push_back(join_id);
    }
    ASSERT_FALSE(admitted_later.empty());
    // Everyone polls once a second, as a client would (the queue allows each user 60 requests a
    // minute over all hosts: polling at the await's pace would be refused on a fast machine).
    auto polled = std::chrono::steady_clock::time_point{};
    ASSERT_TRUE(await(
        [&] {
            if (std::chrono::steady_clock::now() - polled >= std::chrono::seconds(1)) {
                polled = std::chrono::steady_clock::now();
                for (std::size_t i = 0; i < users.size(); ++i)
                    (void)status(users[i], schedule, static_cast<int>(i % 2));
            }
            return pg_scalar("SELECT count(*) FROM queue.joins WHERE state = 'WAITING'") == 0;
        },
        std::chrono::seconds(40)));
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.joins WHERE state = 'ADMITTED'"), 31);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.admissions"), 31);
    EXPECT_EQ(pg_scalar("SELECT count(DISTINCT user_id) FROM queue.admissions"), 31);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.admitted'"),
              31);
    // Every batch was written under its own fencing token and within the rate.
    EXPECT_EQ(pg_scalar("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM "
                        "queue.admissions GROUP BY admit_fence) b"),
              pg_scalar("SELECT least(4, coalesce(max(n), 0)) FROM (SELECT count(*) AS n FROM "
                        "queue.admissions GROUP BY admit_fence) b"));
    EXPECT_GT(pg_scalar("SELECT count(DISTINCT admit_fence) FROM queue.admissions"), 1);
    for (auto& stream : streams) {
        EXPECT_TRUE(stream->wait_for(last_join + "\"]", std::chrono::seconds(5)))
            << stream->received();
        for (const auto& join_id : admitted_later)
            EXPECT_NE(stream->received().find("\"" + join_id + "\""), std::string::npos)
                << join_id << " is not on the stream:\n"
                << stream->received();
    }
    // Both hosts answer the same place for a user.
    auto a = json_of(status(users[5], schedule, 0));
    auto b = json_of(status(users[5], schedule, 1));
    EXPECT_EQ(text_of(a, "status"), "ADMITTED");
    EXPECT_EQ(text_of(a, "entryToken"), text_of(b, "entryToken"))
        << boost::json::serialize(a) << "\n"
        << boost::json::serialize(b);
}

}  // namespace
}  // namespace admit::testing

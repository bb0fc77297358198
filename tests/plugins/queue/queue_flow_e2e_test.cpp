// Queue plugin end to end: entry tokens guard queued holds, a refresh or a second device keeps
// the place, unseen users leave after the grace window, the line closes when the stock is gone,
// and the pre-queue shuffle can be recomputed from the revealed seed.
#include "fairness.hpp"
#include "queue_e2e_fixture.hpp"
#include "tests/plugins/product/seat_stream_reader.hpp"

#include <algorithm>
#include <ctime>
#include <set>

namespace admit::testing {
namespace {

using QueueFlow = QueueEndToEnd;

TEST_F(QueueFlow, QueuedHoldsNeedTheUsersOwnValidEntryToken) {
    const std::string schedule = "sch_ga_20_queued";
    // Without a token: refused before anything is held.
    auto refused = hold_units("usr_a", schedule, 1, "");
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(code_of(refused), "ENTRY_REQUIRED");
    // A schedule without the waiting room needs none.
    EXPECT_EQ(hold_units("usr_a", "sch_ga_20", 1, "").status, 201);

    ASSERT_EQ(join("usr_a", schedule).status, 201);
    ASSERT_EQ(join("usr_b", schedule).status, 201);
    const auto admitted_a = await_admitted("usr_a", schedule);
    const auto admitted_b = await_admitted("usr_b", schedule);
    ASSERT_FALSE(admitted_a.empty());
    ASSERT_FALSE(admitted_b.empty());
    const std::string token_a = text_of(admitted_a, "entryToken");
    const std::string token_b = text_of(admitted_b, "entryToken");
    ASSERT_FALSE(token_a.empty());

    // Another user's token, a token signed with another key, a tampered one, an expired one.
    EXPECT_EQ(code_of(hold_units("usr_a", schedule, 1, token_b)), "ENTRY_REQUIRED");
    queue::EntryKey other{};
    other.fill(0x11);
    const std::string join_a = text_of(admitted_a, "joinId");
    const int64_t later = static_cast<int64_t>(std::time(nullptr)) + 600;
    EXPECT_EQ(
        code_of(hold_units("usr_a", schedule, 1,
                           queue::sign_entry_token(other, {schedule, "usr_a", join_a, later}))),
        "ENTRY_REQUIRED");
    std::string tampered = token_a;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    EXPECT_EQ(hold_units("usr_a", schedule, 1, tampered).status, 403);
    const int64_t past = static_cast<int64_t>(std::time(nullptr)) - 1;
    EXPECT_EQ(code_of(hold_units("usr_a", schedule, 1,
                                 queue::sign_entry_token(key_, {schedule, "usr_a", join_a, past}))),
              "ENTRY_REQUIRED");
    // A token for another schedule.
    EXPECT_EQ(code_of(hold_units("usr_a", "sch_ga_21_queued", 1, token_a)), "ENTRY_REQUIRED");

    // The user's own token works.
    auto held = hold_units("usr_a", schedule, 1, token_a);
    EXPECT_EQ(held.status, 201) << held.body;

    // Leaving revokes the token at once (deny list), though it has not expired.
    ASSERT_EQ(as("usr_b", "DELETE", "/api/v1/schedules/" + schedule + "/queue").status, 204);
    auto revoked = hold_units("usr_b", schedule, 1, token_b);
    EXPECT_EQ(revoked.status, 403) << revoked.body;
    EXPECT_NE(revoked.body.find("revoked"), std::string::npos) << revoked.body;
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.left'"), 1);

    // Joining again starts a new round; its new token is not caught by the old revocation.
    ASSERT_EQ(join("usr_b", schedule).status, 201);
    const auto readmitted = await_admitted("usr_b", schedule);
    ASSERT_FALSE(readmitted.empty());
    EXPECT_NE(text_of(readmitted, "entryToken"), token_b);
    auto again = hold_units("usr_b", schedule, 1, text_of(readmitted, "entryToken"));
    EXPECT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(pg_scalar("SELECT round FROM queue.joins WHERE user_id = 'usr_b'"), 2);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.admissions WHERE user_id = 'usr_b'"), 2);
}

TEST_F(QueueFlow, ARefreshOrASecondDeviceKeepsThePlaceAndUnseenUsersLeave) {
    const std::string schedule = "sch_ga_50_queued";
    ASSERT_EQ(join("usr_opener", schedule).status, 201);
    ASSERT_EQ(admin("POST", schedule, "pause").status, 200);
    for (const char* user : {"usr_1", "usr_2", "usr_3"})
        ASSERT_EQ(join(user, schedule).status, 201);

    auto first = json_of(status("usr_2", schedule));
    ASSERT_EQ(text_of(first, "status"), "PAUSED") << boost::json::serialize(first);
    const int64_t position = first.at("position").as_int64();
    // Refreshes (new connections) and a second device joining again: same place, no new one.
    for (int i = 0; i < 3; ++i) {
        auto again = json_of(status("usr_2", schedule));
        EXPECT_EQ(again.at("position").as_int64(), position);
    }
    auto second_device = join("usr_2", schedule);
    EXPECT_EQ(second_device.status, 200) << second_device.body;
    EXPECT_EQ(json_of(second_device).at("position").as_int64(), position);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.joins WHERE user_id = 'usr_2'"), 1);
    EXPECT_EQ(pg_scalar("SELECT round FROM queue.joins WHERE user_id = 'usr_2'"), 1);
    const auto poll = json_of(status("usr_2", schedule)).at("pollAfterMs").as_int64();
    EXPECT_GE(poll, 1000);
    EXPECT_LE(poll, 2000);

    // usr_1 and usr_2 keep polling; usr_3 goes quiet past the 3 s grace window and leaves.
    const bool expired = await(
        [&] {
            (void)status("usr_1", schedule);
            (void)status("usr_2", schedule);
            return pg_scalar(
                       "SELECT count(*) FROM queue.joins WHERE user_id = 'usr_3' AND "
                       "state = 'EXPIRED'") == 1;
        },
        std::chrono::seconds(15));
    ASSERT_TRUE(expired);
    EXPECT_EQ(status("usr_3", schedule).status, 404);
    EXPECT_EQ(status("usr_2", schedule).status, 200);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.joins WHERE state = 'WAITING' AND user_id IN "
                        "('usr_1', 'usr_2')"),
              2);
    EXPECT_GE(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.expired'"),
              1);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.paused'"), 1);
}

TEST_F(QueueFlow, TheLineClosesAsSoldOutWhenTheStockRunsOut) {
    const std::string schedule = "sch_ga_2_queued";  // two units
    std::vector<std::string> users;
    for (int i = 0; i < 6; ++i) users.push_back("usr_buyer" + std::to_string(i));
    for (const auto& user : users) ASSERT_EQ(join(user, schedule).status, 201);
    // Inventory-aware: 2 free units x 1.5 = at most 3 admitted while nothing is sold.
    ASSERT_TRUE(await([&] {
        return pg_scalar("SELECT count(*) FROM queue.admissions WHERE schedule_id = '" + schedule +
                         "'") == 3;
    }));
    auto waiting = json_of(status(users[5], schedule));
    EXPECT_EQ(text_of(waiting, "status"), "WAITING") << boost::json::serialize(waiting);
    EXPECT_EQ(waiting.at("seatsRemaining").as_int64(), 2);

    // The first two admitted buy one unit each.
    int bought = 0;
    for (const auto& user : users) {
        if (bought == 2) break;
        auto body = json_of(status(user, schedule));
        if (text_of(body, "status") != "ADMITTED") continue;
        auto held = hold_units(user, schedule, 1, text_of(body, "entryToken"));
        ASSERT_EQ(held.status, 201) << held.body;
        const std::string reservation = text_of(json_of(held), "reservationId");
        ASSERT_EQ(as("usr_operator", "POST",
                     "/api/v1/test/reservations/" + reservation + "/confirm", "", {}, "admin")
                      .status,
                  200);
        ++bought;
    }
    ASSERT_EQ(bought, 2);
    // Nothing left: the waiting users are told SOLD_OUT and the line is closed.
    ASSERT_TRUE(await(
        [&] { return text_of(json_of(status(users[5], schedule)), "status") == "SOLD_OUT"; }));
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.schedules WHERE phase = 'SOLD_OUT'"), 1);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.joins WHERE state = 'WAITING'"), 0);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.joins WHERE state = 'SOLD_OUT'"), 3);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM queue.admissions"), 3);  // never more than the bound
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.sold_out'"),
              1);
    auto late = join("usr_late", schedule);
    EXPECT_EQ(text_of(json_of(late), "status"), "SOLD_OUT") << late.body;
}

TEST_F(QueueFlow, ThePrequeueShuffleIsRecomputableFromTheRevealedSeed) {
    const int64_t starts = static_cast<int64_t>(std::time(nullptr)) + 5;
    const std::string schedule = "sch_ga_100_queued_starts" + std::to_string(starts);
    ASSERT_EQ(join("usr_p0", schedule).status, 201);
    ASSERT_EQ(admin("POST", schedule, "pause").status, 200);  // keep the order visible
    std::vector<std::string> early{"usr_p0"};
    for (int i = 1; i < 8; ++i) {
        early.push_back("usr_p" + std::to_string(i));
        ASSERT_EQ(join(early.back(), schedule).status, 201);
    }
    auto before = json_of(status("usr_p3", schedule));
    EXPECT_EQ(text_of(before, "status"), "PREQUEUE") << boost::json::serialize(before);
    EXPECT_TRUE(before.at("position").is_null());
    auto commitment =
        json_of(as("usr_x", "GET", "/api/v1/schedules/" + schedule + "/queue/fairness"));
    const std::string committed = text_of(commitment, "commitment");
    EXPECT_EQ(committed.size(), 64u);
    EXPECT_TRUE(commitment.at("seed").is_null());

    // The sale starts: the pre-queue is shuffled and the seed revealed.
    ASSERT_TRUE(await([&] {
        for (const auto& user : early) (void)status(user, schedule);  // stay seen
        return !json_of(as("usr_x", "GET", "/api/v1/schedules/" + schedule + "/queue/fairness"))
                    .at("seed")
                    .is_null();
    }));
    ASSERT_EQ(join("usr_after", schedule).status, 201);
    auto revealed =
        json_of(as("usr_x", "GET", "/api/v1/schedules/" + schedule + "/queue/fairness"));
    EXPECT_EQ(text_of(revealed, "commitment"), committed);
    std::string seed;
    const std::string seed_hex = text_of(revealed, "seed");
    for (std::size_t i = 0; i + 1 < seed_hex.size(); i += 2)
        seed.push_back(static_cast<char>(std::stoi(seed_hex.substr(i, 2), nullptr, 16)));
    EXPECT_EQ(queue::commitment_of(seed), committed);
    std::vector<std::string> join_ids;
    for (const auto& id : revealed.at("joinIds").as_array()) join_ids.emplace_back(id.as_string());
    ASSERT_EQ(join_ids.size(), early.size());

    // Everyone's position is the rank of their join id in the recomputed order.
    const auto order = queue::shuffled_order(seed, join_ids);
    for (const auto& user : early) {
        auto body = json_of(status(user, schedule));
        ASSERT_EQ(text_of(body, "status"), "PAUSED") << boost::json::serialize(body);
        const auto rank =
            std::find(order.begin(), order.end(), text_of(body, "joinId")) - order.begin();
        EXPECT_EQ(body.at("position").as_int64(), rank + 1) << user;
    }
    // A join after the start is FIFO behind the shuffled block.
    EXPECT_EQ(json_of(status("usr_after", schedule)).at("position").as_int64(),
              static_cast<int64_t>(early.size()) + 1);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.shuffled'"),
              1);
}

TEST_F(QueueFlow, TheStreamSendsTheSnapshotProgressAtMostOncePerSecondAndTheAdmission) {
    const std::string schedule = "sch_ga_30_queued";
    ASSERT_EQ(join("usr_opener", schedule).status, 201);
    ASSERT_EQ(admin("POST", schedule, "pause").status, 200);
    auto joined = join("usr_s", schedule);
    ASSERT_EQ(joined.status, 201);
    const std::string join_id = text_of(json_of(joined), "joinId");
    catalog::SseReader stream(ports_[0], "/api/v1/schedules/" + schedule + "/queue/stream",
                              "Bearer test:customer:usr_s");
    ASSERT_TRUE(stream.connected());
    ASSERT_TRUE(stream.wait_for("event: snapshot", std::chrono::seconds(5))) << stream.received();
    EXPECT_NE(stream.received().find(join_id), std::string::npos);
    EXPECT_NE(stream.received().find("\"PAUSED\""), std::string::npos);
    // Paused: one progress message per tick at most.
    const auto opened = std::chrono::steady_clock::now();
    ASSERT_TRUE(stream.wait_for("event: update", std::chrono::seconds(5))) << stream.received();
    ASSERT_EQ(admin("POST", schedule, "resume").status, 200);
    // Both places (the opener's and this one) are admitted.
    ASSERT_TRUE(stream.wait_for("\"admittedTotal\":2", std::chrono::seconds(10)))
        << stream.received();
    // Our place is named in an admission message (the two places may be admitted in one tick
    // or in two).
    bool named = false;
    for (auto at = stream.received().find("\"admitted\":[\""); at != std::string::npos && !named;
         at = stream.received().find("\"admitted\":[\"", at + 1)) {
        const auto line_end = stream.received().find('\n', at);
        named = stream.received().substr(at, line_end - at).find(join_id) != std::string::npos;
    }
    EXPECT_TRUE(named) << stream.received();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - opened).count();
    std::size_t updates = 0;
    for (auto at = stream.received().find("event: update"); at != std::string::npos;
         at = stream.received().find("event: update", at + 1))
        ++updates;
    // The operator's resume message, plus one per tick. Ticks are periodic jobs (1 s) whose
    // start jitters by the job poll, so two may come a little under a second apart: allow a
    // quarter of a period of jitter, which still fails for anything sent per join or per poll.
    EXPECT_LE(static_cast<double>(updates), 1.0 + 1.0 + seconds / 0.75) << stream.received();
    EXPECT_EQ(text_of(json_of(status("usr_s", schedule)), "status"), "ADMITTED");
    // A stream of a user who is not in the line is refused.
    catalog::SseReader stranger(ports_[0], "/api/v1/schedules/" + schedule + "/queue/stream",
                                "Bearer test:customer:usr_nobody");
    EXPECT_TRUE(stranger.wait_for("404", std::chrono::seconds(5))) << stranger.received();
}

TEST_F(QueueFlow, ErrorsFollowTheContract) {
    EXPECT_EQ(join("usr_a", "sch_unknown").status, 404);
    EXPECT_EQ(join("usr_a", "bad%20id").status, 400);
    EXPECT_EQ(status("usr_a", "sch_ga_5_queued").status, 404);  // never joined
    EXPECT_EQ(as("usr_a", "DELETE", "/api/v1/schedules/sch_ga_5_queued/queue").status, 404);
    EXPECT_EQ(
        http_request(ports_[0], "POST", "/api/v1/schedules/sch_ga_5_queued/queue", "", {}).status,
        401);
    ASSERT_EQ(join("usr_a", "sch_ga_5_queued").status, 201);
    EXPECT_EQ(as("usr_a", "GET", "/api/v1/admin/schedules/sch_ga_5_queued/queue").status, 403);
    EXPECT_EQ(admin("GET", "sch_nothing", "").status, 404);
    auto rate = admin("POST", "sch_ga_5_queued", "rate", R"({"admitPerSecond": -1})");
    EXPECT_EQ(rate.status, 400);
    EXPECT_EQ(code_of(rate), "INVALID_REQUEST");
    EXPECT_EQ(admin("POST", "sch_ga_5_queued", "rate", R"({"admitPerSecond": 7})").status, 200);
    auto overview = json_of(admin("GET", "sch_ga_5_queued", ""));
    EXPECT_EQ(overview.at("rateOverride").as_int64(), 7);
    EXPECT_EQ(text_of(overview.at("fairness").as_object(), "commitment").size(), 64u);
    EXPECT_TRUE(overview.contains("etaSeconds"));
    EXPECT_EQ(
        pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.rate_changed'"), 1);
    auto cleared = admin("POST", "sch_ga_5_queued", "clear");
    EXPECT_EQ(cleared.status, 200) << cleared.body;
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_outbox WHERE topic = 'queue.cleared'"),
              1);
}

}  // namespace
}  // namespace admit::testing

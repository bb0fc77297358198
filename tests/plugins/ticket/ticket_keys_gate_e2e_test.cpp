// Keys and offline gates through a real admitd: the admit-gate CLI verifies a code the server
// issued with nothing but the gate kit (admitd stopped), `admit-gate sync` uploads two gates'
// journals and reports the double admission, ticket keys appear in /.well-known/jwks.json
// (and auth serves its JWKS without a ticket plugin), and a key rotation keeps issued tickets
// valid.
#include "codes/base45.hpp"
#include "codes/base64url.hpp"
#include "codes/gate_kit.hpp"
#include "codes/venue_key.hpp"
#include "ticket_e2e_fixture.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace admit::testing {
namespace {

using TicketKeysAndGates = TicketEndToEnd;

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

boost::json::value parse(const std::string& text) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    return ec ? boost::json::value() : value;
}

/// The JSON object on the first line of a command's output that parses as one.
boost::json::object first_json_line(const std::string& output) {
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        auto value = parse(line);
        if (value.is_object()) return value.as_object();
    }
    return {};
}

TEST_F(TicketKeysAndGates, TheGateCliVerifiesServerCodesWithTheKitAlone) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_1"}), 1).at(0);
    auto kit = staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit");
    ASSERT_EQ(kit.status, 200) << kit.body;
    const auto kit_file = write_temp_file("kit.json", kit.body);
    admitd_.reset();  // no server from here on

    auto static_run = run_command(ADMIT_GATE_BINARY, {"verify", std::string(t["code"].as_string()),
                                                      "--kit", kit_file.string()});
    EXPECT_EQ(static_run.status, 0) << static_run.output;
    EXPECT_EQ(first_json_line(static_run.output)["admitted"], true);
    auto rotating_run = run_command(
        ADMIT_GATE_BINARY, {"verify", rotating_code_of(t, now_unix()), "--kit", kit_file.string()});
    EXPECT_EQ(rotating_run.status, 0) << rotating_run.output;
    EXPECT_EQ(first_json_line(rotating_run.output)["ticket"].as_object()["ticketId"],
              t["ticketId"]);
    auto stale_run =
        run_command(ADMIT_GATE_BINARY,
                    {"verify", rotating_code_of(t, now_unix() - 300), "--kit", kit_file.string()});
    EXPECT_EQ(stale_run.status, 1) << stale_run.output;
    EXPECT_EQ(first_json_line(stale_run.output)["reason"], "window");
}

TEST_F(TicketKeysAndGates, AKitAskedToVouchListsEveryLiveTicketsSignedTicketAndNothingElse) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto tickets =
        tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_1", "seat_2", "seat_3"}), 3);
    ASSERT_EQ(check_in(std::string(tickets[0]["code"].as_string())).status, 200);  // USED: live
    const std::string reissued_id(tickets[1]["ticketId"].as_string());
    auto reissue = customer("usr_a", "POST", "/api/v1/tickets/" + reissued_id + "/reissue");
    ASSERT_EQ(reissue.status, 200) << reissue.body;
    const auto current = json_of(reissue);

    auto plain = staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit");
    ASSERT_EQ(plain.status, 200) << plain.body;
    EXPECT_FALSE(json_of(plain).contains("vouched"));
    EXPECT_EQ(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit?vouch=maybe").status, 400);
    auto answer = staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit?vouch=true");
    ASSERT_EQ(answer.status, 200) << answer.body;
    auto kit = ticket::parse_gate_kit(answer.body);
    ASSERT_TRUE(kit.ok()) << kit.error().message;
    EXPECT_EQ(kit->vouched.size(), 3u);
    auto vouched = [&](const boost::json::object& owner_view) {
        auto bytes = ticket::base45_decode(
            std::string(owner_view.at("rotating").as_object().at("signedTicket").as_string()));
        EXPECT_TRUE(bytes.ok());
        for (const auto& key : kit->keys)
            if (kit->vouched.contains(key.bytes, *bytes)) return true;
        return false;
    };
    EXPECT_TRUE(vouched(tickets[0]));
    EXPECT_TRUE(vouched(tickets[2]));
    EXPECT_TRUE(vouched(current));      // the current issue ...
    EXPECT_FALSE(vouched(tickets[1]));  // ... not the reissued one, which the kit revokes

    // A gate with the vouching kit admits the app's code with the kit alone.
    const auto kit_file = write_temp_file("kit.json", answer.body);
    admitd_.reset();
    auto run = run_command(ADMIT_GATE_BINARY, {"verify", rotating_code_of(tickets[2], now_unix()),
                                               "--kit", kit_file.string()});
    EXPECT_EQ(run.status, 0) << run.output;
    EXPECT_EQ(first_json_line(run.output)["admitted"], true);
}

TEST_F(TicketKeysAndGates, SyncUploadsTwoGatesJournalsAndReportsTheDoubleAdmission) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto t = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_2"}), 1).at(0);
    auto kit = staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit");
    ASSERT_EQ(kit.status, 200) << kit.body;
    const auto dir = write_temp_file("kit.json", kit.body).parent_path();
    const auto kit_a = dir / "kit.json";
    const auto kit_b = write_temp_file("kit.json", kit.body);
    const auto journal_a = dir / "a.jsonl";
    const auto journal_b = dir / "b.jsonl";
    // The network is down: both gates admit the same ticket offline.
    for (const auto& [kit_path, journal, gate] :
         {std::tuple{kit_a, journal_a, "gate-a"}, std::tuple{kit_b, journal_b, "gate-b"}}) {
        auto run = run_command(ADMIT_GATE_BINARY,
                               {"verify", rotating_code_of(t, now_unix()), "--kit",
                                kit_path.string(), "--record", journal.string(), "--gate", gate});
        ASSERT_EQ(run.status, 0) << run.output;
    }
    // Back online: each gate syncs with a staff token.
    ::setenv("TICKET_TEST_STAFF_TOKEN", "test:staff:usr_staff", 1);
    const std::string server = "http://127.0.0.1:" + std::to_string(port_);
    auto sync = [&](const std::filesystem::path& kit_path, const std::filesystem::path& journal) {
        return run_command(ADMIT_GATE_BINARY,
                           {"sync", "--kit", kit_path.string(), "--scans", journal.string(),
                            "--server", server, "--token-env", "TICKET_TEST_STAFF_TOKEN"});
    };
    auto first = sync(kit_a, journal_a);
    ASSERT_EQ(first.status, 0) << first.output;
    auto report = first_json_line(first.output);
    EXPECT_EQ(report["status"], "synced");
    EXPECT_EQ(report["admitted"], 1);
    EXPECT_TRUE(report["conflicts"].as_array().empty());

    auto second = sync(kit_b, journal_b);
    ASSERT_EQ(second.status, 0) << second.output;
    report = first_json_line(second.output);
    EXPECT_EQ(report["admitted"], 0);
    ASSERT_EQ(report["conflicts"].as_array().size(), 1u);
    EXPECT_EQ(report["conflicts"].as_array()[0].at("conflict").at("kind"), "DOUBLE_ADMISSION");
    EXPECT_NE(second.output.find("conflict reported to admins"), std::string::npos);

    // Syncing again uploads nothing new; the kit file was replaced by a valid fresh kit.
    auto again = sync(kit_a, journal_a);
    ASSERT_EQ(again.status, 0) << again.output;
    EXPECT_EQ(first_json_line(again.output)["duplicates"], 1);
    EXPECT_TRUE(parse(read_text(kit_a)).is_object());

    auto conflicts =
        json_of(admin("GET", "/api/v1/admin/checkin/conflicts?scheduleId=" + schedule));
    ASSERT_EQ(conflicts["items"].as_array().size(), 1u);
    EXPECT_EQ(conflicts["items"].as_array()[0].at("gate"), "gate-b");
    EXPECT_EQ(conflicts["items"].as_array()[0].at("firstGate"), "gate-a");
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM ticket.tickets WHERE id = '" +
                        std::string(t["ticketId"].as_string()) + "' AND status = 'USED'"),
              1);

    // A wrong token: the server refuses, the sync says so and exits 3.
    ::setenv("TICKET_TEST_STAFF_TOKEN", "test:customer:usr_a", 1);
    auto refused = sync(kit_a, journal_a);
    EXPECT_EQ(refused.status, 3) << refused.output;
    EXPECT_EQ(first_json_line(refused.output)["status"], "refused");
}

TEST_F(TicketKeysAndGates, JwksListsTicketKeysBesideAccessTokenKeys) {
    start_admitd({"auth", "ticket"});
    auto r = http_request(port_, "GET", "/.well-known/jwks.json");
    ASSERT_EQ(r.status, 200) << r.body;
    int ticket_keys = 0, token_keys = 0;
    const auto jwks = json_of(r);
    for (const auto& key : jwks.at("keys").as_array()) {
        EXPECT_EQ(key.at("use"), "sig");
        if (key.as_object().contains("admit_use")) {
            EXPECT_EQ(key.at("admit_use"), "ticket");
            ++ticket_keys;
        } else {
            ++token_keys;
        }
    }
    EXPECT_EQ(ticket_keys, 1);
    EXPECT_GE(token_keys, 1);

    // Without a ticket plugin, auth still serves its own keys.
    start_admitd({"auth"});
    auto alone = http_request(port_, "GET", "/.well-known/jwks.json");
    ASSERT_EQ(alone.status, 200) << alone.body;
    const auto alone_jwks = json_of(alone);
    for (const auto& key : alone_jwks.at("keys").as_array())
        EXPECT_FALSE(key.as_object().contains("admit_use"));
    EXPECT_FALSE(json_of(alone)["keys"].as_array().empty());
}

TEST_F(TicketKeysAndGates, ARotatedKeyKeepsEarlierTicketsValid) {
    const auto schedule = unique_schedule("sch_seats_10");
    auto before = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_3"}), 1).at(0);
    // Deploy a new signing key through the environment.
    auto fresh = ticket::VenueSigningKey::generate();
    const auto seed = fresh.seed();
    start_admitd({}, {"ADMIT_TICKET_SIGNING_KEY=" + ticket::base64url_encode(seed)});
    auto after = tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_4"}), 1).at(0);
    EXPECT_EQ(after["kid"].as_string(), fresh.public_key().kid);
    EXPECT_NE(before["kid"], after["kid"]);
    auto kit = json_of(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit"));
    EXPECT_EQ(kit["keys"].as_array().size(), 2u);
    EXPECT_EQ(check_in(rotating_code_of(before, now_unix())).status, 200);
    EXPECT_EQ(check_in(rotating_code_of(after, now_unix())).status, 200);

    // A malformed key in the environment stops the plugin at start with a clear message.
    admitd_.reset();
    TestVenue venue{.plugins = {"test_auth", "ticket"}, .plugin_dir = TICKET_TEST_PLUGIN_DIR};
    auto file = write_temp_file("venue.toml", venue_toml(venue, &storage_));
    AdmitdProcess broken(ADMIT_ADMITD_BINARY, {"--config", file.string()},
                         {"ADMIT_TICKET_SIGNING_KEY=not-a-key"});
    EXPECT_FALSE(broken.wait_until_serving().has_value());
    EXPECT_NE(broken.log().find("ADMIT_TICKET_SIGNING_KEY"), std::string::npos) << broken.log();
}

}  // namespace
}  // namespace admit::testing

namespace admit::testing {
namespace {

TEST_F(TicketKeysAndGates, RetiredPublicKeysFromConfigAreServedAndBadOnesStopTheStart) {
    auto other = ticket::VenueSigningKey::generate();
    const std::string retired = ticket::base64url_encode(other.public_key().bytes);
    start_admitd({}, {}, "retired_public_keys = [\"" + retired + "\"]\n");
    const auto schedule = unique_schedule("sch_seats_10");
    tickets_of("usr_a", buy_seats("usr_a", schedule, {"seat_5"}), 1);
    auto kit = json_of(staff("GET", "/api/v1/schedules/" + schedule + "/gate-kit"));
    bool listed = false;
    for (const auto& key : kit["keys"].as_array())
        listed = listed || key.at("kid").as_string() == other.public_key().kid;
    EXPECT_TRUE(listed) << boost::json::serialize(kit);

    admitd_.reset();
    TestVenue venue{.plugins = {"test_auth", "ticket"},
                    .plugin_dir = TICKET_TEST_PLUGIN_DIR,
                    .extra_toml = "[plugin.ticket]\nretired_public_keys = [\"short\"]\n"};
    auto file = write_temp_file("venue.toml", venue_toml(venue, &storage_));
    AdmitdProcess broken(ADMIT_ADMITD_BINARY, {"--config", file.string()});
    EXPECT_FALSE(broken.wait_until_serving().has_value());
    EXPECT_NE(broken.log().find("retired_public_keys"), std::string::npos) << broken.log();
}

}  // namespace
}  // namespace admit::testing

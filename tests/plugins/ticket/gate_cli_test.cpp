// The real admit-gate executable verifies codes made by the library with nothing but the kit
// file, prints its verdict as JSON, exits 0 / 1 / 2 as documented, and keeps the offline scan
// journal (a second scan of a ticket is "already_used").
#include "codes/gate_kit.hpp"
#include "ticket_fixtures.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#ifndef ADMIT_GATE_BINARY
#error "ADMIT_GATE_BINARY must name the admit-gate executable"
#endif

namespace admit::ticket {
namespace {

using namespace testing;

struct GateRun {
    int exit_code = -1;
    std::string out;
    boost::json::value json() const {
        boost::system::error_code error;
        auto value = boost::json::parse(out, error);
        EXPECT_FALSE(error) << "stdout is not JSON: " << out;
        return value;
    }
};

/// Runs admit-gate with `args` (no shell: codes contain spaces and $), feeding `input` on stdin.
GateRun run_gate(const std::vector<std::string>& args, const std::string& input = {}) {
    int out_pipe[2];
    int in_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(in_pipe) != 0) return {};
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(in_pipe[0], 0);
        dup2(out_pipe[1], 1);
        close(in_pipe[1]);
        close(out_pipe[0]);
        std::vector<char*> argv{const_cast<char*>(ADMIT_GATE_BINARY)};
        for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
        argv.push_back(nullptr);
        execv(ADMIT_GATE_BINARY, argv.data());
        _exit(127);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    if (!input.empty()) (void)!write(in_pipe[1], input.data(), input.size());
    close(in_pipe[1]);
    GateRun run;
    char buffer[4096];
    ssize_t got = 0;
    while ((got = read(out_pipe[0], buffer, sizeof buffer)) > 0)
        run.out.append(buffer, static_cast<std::size_t>(got));
    close(out_pipe[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

class GateCli : public ::testing::Test {
  protected:
    VenueSigningKey venue = VenueSigningKey::generate();
    TicketKeyPair ticket = TicketKeyPair::generate();
    std::filesystem::path dir;
    std::string kit_path;
    std::string journal_path;

    void SetUp() override {
        char pattern[] = "/tmp/admit-gate-test-XXXXXX";
        ASSERT_NE(mkdtemp(pattern), nullptr);
        dir = pattern;
        kit_path = (dir / "kit.json").string();
        journal_path = (dir / "scans.jsonl").string();
        GateKit kit = kit_for(venue.public_key());
        kit.revoked["tkt_99999999999999999999999999999999"] =
            Revocation{Revocation::Kind::cancelled, 0};
        std::ofstream(kit_path) << boost::json::serialize(gate_kit_json(kit));
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::vector<std::string> verify_args(const std::string& code, int64_t now) {
        return {"verify", code, "--kit", kit_path, "--now", std::to_string(now)};
    }
};

TEST_F(GateCli, AdmitsARotatingCodeWithTheKitAlone) {
    const GateRun run = run_gate(verify_args(rotating_code(venue, ticket, kNow), kNow + 10));
    EXPECT_EQ(run.exit_code, 0) << run.out;
    const auto json = run.json();
    EXPECT_EQ(json.at("admitted"), true);
    EXPECT_EQ(json.at("ticket").at("ticketId").as_string(), kTicketId);
    EXPECT_EQ(json.at("ticket").at("seat"), "A-1-12");
}

TEST_F(GateCli, RefusesWithTheReasonAndExitOne) {
    const std::string code = rotating_code(venue, ticket, kNow);
    GateRun run = run_gate(verify_args(code, kNow + 120));
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(run.json().at("reason"), "window");

    TicketPayload cancelled = sample_payload();
    cancelled.ticket_id = "tkt_99999999999999999999999999999999";
    run = run_gate(verify_args(rotating_code(venue, ticket, kNow, cancelled), kNow));
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(run.json().at("reason"), "cancelled");

    run =
        run_gate(verify_args(static_code(venue, sample_payload()), kNow));  // kit: no static codes
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(run.json().at("reason"), "window");

    run = run_gate(verify_args("garbage", kNow));
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(run.json().at("reason"), "malformed");
}

TEST_F(GateCli, ReadsTheCodeFromStandardInput) {
    const GateRun run = run_gate({"verify", "-", "--kit", kit_path, "--now", std::to_string(kNow)},
                                 rotating_code(venue, ticket, kNow) + "\n");
    EXPECT_EQ(run.exit_code, 0) << run.out;
}

TEST_F(GateCli, UsageErrorsExitTwo) {
    const std::string code = rotating_code(venue, ticket, kNow);
    EXPECT_EQ(run_gate({}).exit_code, 2);
    EXPECT_EQ(run_gate({"open-sesame"}).exit_code, 2);
    EXPECT_EQ(run_gate({"verify", code}).exit_code, 2);  // no --kit
    EXPECT_EQ(run_gate({"verify", code, "--kit", (dir / "missing.json").string()}).exit_code, 2);
    EXPECT_EQ(run_gate({"verify", code, "--kit", kit_path, "--now", "soon"}).exit_code, 2);
    EXPECT_EQ(run_gate({"verify", code, "--kit", kit_path, "--colour", "red"}).exit_code, 2);
    std::ofstream(kit_path) << "{\"kitVersion\": 1}";
    EXPECT_EQ(run_gate(verify_args(code, kNow)).exit_code, 2);  // a kit that does not validate
}

TEST_F(GateCli, TheJournalRefusesASecondScanOfTheSameTicket) {
    std::vector<std::string> args = verify_args(rotating_code(venue, ticket, kNow), kNow);
    args.insert(args.end(), {"--record", journal_path, "--gate", "north-1"});
    const GateRun first = run_gate(args);
    EXPECT_EQ(first.exit_code, 0) << first.out;
    const auto first_nonce = first.json().at("scan").at("nonce");

    args = verify_args(rotating_code(venue, ticket, kNow + 40),
                       kNow + 40);  // a fresh code, same ticket
    args.insert(args.end(), {"--record", journal_path, "--gate", "north-1"});
    const GateRun second = run_gate(args);
    EXPECT_EQ(second.exit_code, 1) << second.out;
    const auto json = second.json();
    EXPECT_EQ(json.at("reason"), "already_used");
    EXPECT_NE(json.at("detail").as_string().find("north-1"), std::string::npos);
    EXPECT_NE(json.at("scan").at("nonce"), first_nonce);

    // Both scans are in the journal, one line each, with their nonces.
    std::ifstream journal(journal_path);
    std::vector<boost::json::value> lines;
    for (std::string line; std::getline(journal, line);) lines.push_back(boost::json::parse(line));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].at("admitted"), true);
    EXPECT_EQ(lines[0].at("nonce"), first_nonce);
    EXPECT_EQ(lines[1].at("reason"), "already_used");
    EXPECT_EQ(lines[1].at("ticketId").as_string(), kTicketId);
}

TEST_F(GateCli, AOncePerDayKitAdmitsATicketAgainOnTheNextVenueDayOnly) {
    GateKit kit = kit_for(venue.public_key());
    kit.reentry = "ONCE_PER_DAY";
    kit.utc_offset_minutes = 540;  // the venue's day starts at 04:00 UTC+9 = 19:00 UTC
    kit.day_starts_at_hour = 4;
    kit.valid_from = kNow - 2 * 86400;  // a three-day festival
    kit.valid_until = kNow + 3 * 86400;
    std::ofstream(kit_path) << boost::json::serialize(gate_kit_json(kit));
    TicketPayload payload = sample_payload(ticket.public_key());
    payload.valid_from = static_cast<uint32_t>(kit.valid_from);
    payload.valid_until = static_cast<uint32_t>(kit.valid_until);
    auto scan_at = [&](int64_t at) {
        std::vector<std::string> args = verify_args(rotating_code(venue, ticket, at, payload), at);
        args.insert(args.end(), {"--record", journal_path, "--gate", "east"});
        return run_gate(args);
    };
    const int64_t day = kit_day_of(kit, kNow);
    const int64_t day_start = day * 86400 - 540 * 60 + 4 * 3600;  // its first second, in UTC
    EXPECT_EQ(scan_at(day_start + 10).exit_code, 0);
    const GateRun same_day = scan_at(day_start + 86399);  // the venue day's last second
    EXPECT_EQ(same_day.exit_code, 1) << same_day.out;
    EXPECT_EQ(same_day.json().at("reason"), "already_used");
    const GateRun next_day = scan_at(day_start + 86400);
    EXPECT_EQ(next_day.exit_code, 0) << next_day.out;
    EXPECT_EQ(scan_at(day_start + 86400 + 60).exit_code, 1);
}

TEST_F(GateCli, AnAfterExitKitStillAdmitsOncePerJournal) {
    GateKit kit = kit_for(venue.public_key());
    kit.reentry = "AFTER_EXIT";  // exits happen at online gates; this gate cannot see them
    std::ofstream(kit_path) << boost::json::serialize(gate_kit_json(kit));
    std::vector<std::string> args = verify_args(rotating_code(venue, ticket, kNow), kNow);
    args.insert(args.end(), {"--record", journal_path});
    EXPECT_EQ(run_gate(args).exit_code, 0);
    EXPECT_EQ(run_gate(args).exit_code, 1);
}

TEST_F(GateCli, SyncWithoutAServerKeepsTheScansAndSaysSo) {
    std::vector<std::string> args = verify_args(rotating_code(venue, ticket, kNow), kNow);
    args.insert(args.end(), {"--record", journal_path});
    ASSERT_EQ(run_gate(args).exit_code, 0);

    setenv("ADMIT_GATE_TEST_TOKEN", "staff-token", 1);
    const GateRun run = run_gate({"sync", "--kit", kit_path, "--scans", journal_path, "--server",
                                  "http://127.0.0.1:9", "--token-env", "ADMIT_GATE_TEST_TOKEN"});
    EXPECT_EQ(run.exit_code, 3);
    EXPECT_EQ(run.json().at("pending"), 1);
    EXPECT_EQ(run.json().at("uploaded"), 0);
    EXPECT_EQ(run.json().at("status"), "unreachable");
    EXPECT_EQ(run_gate({"sync", "--kit", kit_path}).exit_code, 2);
    EXPECT_EQ(run_gate({"sync", "--kit", kit_path, "--scans", journal_path, "--server",
                        "ftp://127.0.0.1:9", "--token-env", "ADMIT_GATE_TEST_TOKEN"})
                  .exit_code,
              2);
}

}  // namespace
}  // namespace admit::ticket

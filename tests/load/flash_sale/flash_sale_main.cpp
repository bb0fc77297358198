// flash_sale_load: the flash-sale load generator (open loop, latency from intended send time).
//
//   flash_sale_load --port P --mode provision --buyers 20000 --password-env VAR --out tokens.txt
//                   [--email-prefix buyer --connections 8]
//   flash_sale_load --port P --schedule SCH --tokens tokens.txt --seat-ids seats.txt
//                   [--hot 200 --hot-share 0.8 --buyers 20000 --rate 10000 --connections 256
//                    --retries 3 --idempotency]
//   flash_sale_load --port P --schedule SCH --tokens tokens.txt --grade GRADE
//                   [--holds-per-buyer 5 --buyers 20000 --rate 6000 --key-prefix P ...]
//   flash_sale_load --port P --mode bare [--path /healthz --duration 5 --connections 64]
//
// Provision mode: creates (or reuses) buyer accounts through the real auth API and writes
// "<access token> <refresh token>" per line to --out; sessions already in that file are
// refreshed instead of signing in with the password again. Hold mode: buyer i holds with token i of
// --tokens and tries to hold one seat; --seat-ids lists the schedule's seats best first, and
// `hot-share` of the attempts aim at the first `hot` of them. A 409 makes the buyer try another
// seat (up to `retries` times), as real buyers do. With --grade (general admission) each attempt
// holds one unit of that grade instead, and a buyer who got one comes back for another until it
// holds `holds-per-buyer` (so a sale of many units runs long enough to measure). Attempts are
// released at `rate` per second whatever the server does (open loop): a slow answer cannot slow the
// senders down, and each latency counts from the attempt's intended send time. Bare mode: closed
// loop GETs of `path` for `duration` seconds (the HTTP reference). The last line is
// machine-readable: "RESULT key=value
// ...".
#include "account_provisioning.hpp"
#include "http_load_client.hpp"
#include "latency_report.hpp"
#include "seat_stream_watch.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <unordered_map>

namespace admit::load {
namespace {

struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    std::string mode = "hold";
    std::string schedule;
    std::string tokens_file;
    std::string seat_ids_file;
    std::string out_file;
    std::string email_prefix = "buyer";
    std::string password_env = "FLASH_SALE_PASSWORD";
    int hot = 200;
    double hot_share = 0.8;
    int buyers = 20000;
    double rate = 10000;
    int connections = 256;
    int retries = 3;
    bool idempotency = false;
    std::string grade;        ///< non-empty: general admission, one unit of this grade per hold
    int holds_per_buyer = 1;  ///< a buyer holds again after a 201 until it holds this many
    std::string key_prefix;   ///< starts every Idempotency-Key (runs that share a schedule)
    std::string path = "/healthz";
    double duration = 5;
};

bool parse(int argc, char** argv, Options& o) {
    std::map<std::string, std::string> values;
    for (int i = 1; i < argc; ++i) {
        std::string key = argv[i];
        if (key == "--idempotency") {
            o.idempotency = true;
            continue;
        }
        if (key.rfind("--", 0) != 0 || i + 1 >= argc) {
            std::fprintf(stderr, "bad argument %s\n", key.c_str());
            return false;
        }
        values[key.substr(2)] = argv[++i];
    }
    for (const auto& [key, value] : values) {
        if (key == "host")
            o.host = value;
        else if (key == "port")
            o.port = static_cast<uint16_t>(std::atoi(value.c_str()));
        else if (key == "mode")
            o.mode = value;
        else if (key == "schedule")
            o.schedule = value;
        else if (key == "tokens")
            o.tokens_file = value;
        else if (key == "seat-ids")
            o.seat_ids_file = value;
        else if (key == "out")
            o.out_file = value;
        else if (key == "email-prefix")
            o.email_prefix = value;
        else if (key == "password-env")
            o.password_env = value;
        else if (key == "hot")
            o.hot = std::atoi(value.c_str());
        else if (key == "hot-share")
            o.hot_share = std::atof(value.c_str());
        else if (key == "buyers")
            o.buyers = std::atoi(value.c_str());
        else if (key == "rate")
            o.rate = std::atof(value.c_str());
        else if (key == "connections")
            o.connections = std::atoi(value.c_str());
        else if (key == "retries")
            o.retries = std::atoi(value.c_str());
        else if (key == "grade")
            o.grade = value;
        else if (key == "holds-per-buyer")
            o.holds_per_buyer = std::atoi(value.c_str());
        else if (key == "key-prefix")
            o.key_prefix = value;
        else if (key == "path")
            o.path = value;
        else if (key == "duration")
            o.duration = std::atof(value.c_str());
        else {
            std::fprintf(stderr, "unknown option --%s\n", key.c_str());
            return false;
        }
    }
    if (o.port == 0 || o.connections < 1 || o.hot < 1 || o.buyers < 1 || o.holds_per_buyer < 1) {
        std::fprintf(stderr, "need --port and sane --connections/--hot/--buyers\n");
        return false;
    }
    if (o.mode == "hold" && (o.schedule.empty() || o.tokens_file.empty() ||
                             (o.seat_ids_file.empty() && o.grade.empty()))) {
        std::fprintf(stderr, "hold mode needs --schedule, --tokens and --seat-ids or --grade\n");
        return false;
    }
    if (o.mode == "provision" && o.out_file.empty()) {
        std::fprintf(stderr, "provision mode needs --out\n");
        return false;
    }
    return true;
}

// The q-quantile of `latencies_us` in ms (0 when empty); sorts them.
double quantile_ms(std::vector<uint32_t>& latencies_us, double q) {
    if (latencies_us.empty()) return 0.0;
    std::sort(latencies_us.begin(), latencies_us.end());
    return latencies_us[static_cast<std::size_t>(q *
                                                 static_cast<double>(latencies_us.size() - 1))] /
           1000.0;
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

void print_answers(const LatencyReport& report) {
    for (const auto& [answer, count] : report.by_answer())
        std::printf("  %-28s %zu\n", answer.c_str(), count);
}

int run_bare(const Options& o) {
    const std::string request = "GET " + o.path + " HTTP/1.1\r\nHost: bench\r\n\r\n";
    LatencyReport report;
    std::unordered_map<uint64_t, Clock::time_point> sent;
    HttpLoadClient client(o.host, o.port, static_cast<std::size_t>(o.connections),
                          [&](uint64_t tag, const HttpAnswer& a) {
                              report.record(std::chrono::duration_cast<std::chrono::microseconds>(
                                                a.received - sent[tag]),
                                            a.status, a.error_code);
                              sent.erase(tag);
                          });
    std::string error;
    if (!client.connect(error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 2;
    }
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(o.duration));
    uint64_t tag = 0;
    while (Clock::now() < end) {
        while (client.has_idle()) {
            sent[++tag] = Clock::now();
            client.send(tag, request);
        }
        client.poll(std::chrono::milliseconds(1));
    }
    while (client.in_flight() > 0) client.poll(std::chrono::milliseconds(10));
    const double elapsed = seconds_between(start, Clock::now());
    std::printf("bare %s: %zu requests in %.2f s = %.0f req/s, p50 %.2f ms, p99 %.2f ms\n",
                o.path.c_str(), report.count(), elapsed, report.count() / elapsed,
                report.quantile_ms(0.5), report.quantile_ms(0.99));
    print_answers(report);
    std::printf("RESULT mode=bare rps=%.0f ok=%zu\n", report.count() / elapsed,
                report.count_status(200));
    return 0;
}

struct Attempt {
    int buyer;
    Clock::time_point intended;
    int seat = -1;  ///< index in --seat-ids once sent (seated sales)
};

/// The non-empty lines of `path`; false when it cannot be read.
bool read_lines(const std::string& path, std::vector<std::string>& lines) {
    std::ifstream in(path);
    if (!in) return false;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return true;
}

int run_provision(const Options& o) {
    const char* password = std::getenv(o.password_env.c_str());
    if (password == nullptr || *password == '\0') {
        std::fprintf(stderr, "provision mode reads the password from $%s, which is not set\n",
                     o.password_env.c_str());
        return 2;
    }
    ProvisioningOptions options{o.host, o.port, o.buyers, o.connections, o.email_prefix, password};
    const std::vector<Session> saved = read_sessions(o.out_file);
    ProvisioningResult result;
    std::string error;
    if (!provision_accounts(options, saved, result, error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 2;
    }
    // Access tokens live 10 minutes. A first provisioning at production argon2id cost can take
    // longer than that on a slow machine (24 minutes once), and the sessions obtained early would
    // answer 401 in the sale: a long pass is followed by a refresh of every session (no password
    // hash: seconds).
    constexpr double kFreshSeconds = 240;
    if (result.seconds > kFreshSeconds && result.failed == 0) {
        ProvisioningResult again;
        if (!provision_accounts(options, result.sessions, again, error)) {
            std::fprintf(stderr, "%s\n", error.c_str());
            return 2;
        }
        std::printf(
            "accounts: the pass took %.0f s (over %.0f s), so every session was refreshed "
            "again: %d refreshed, %d signed in anew, %d failed in %.1f s\n",
            result.seconds, kFreshSeconds, again.refreshed,
            o.buyers - again.refreshed - again.failed, again.failed, again.seconds);
        again.created = result.created;
        again.existed = result.existed;
        again.seconds += result.seconds;
        result = std::move(again);
    }
    const bool written = write_sessions(o.out_file, result.sessions);
    std::printf(
        "accounts: %d created, %d existed, %d refreshed a saved session, %d failed%s%s; "
        "%d signed in in %.1f s (%.0f accounts/s)\n",
        result.created, result.existed, result.refreshed, result.failed,
        result.first_failure.empty() ? "" : ", first: ", result.first_failure.c_str(),
        o.buyers - result.failed, result.seconds, o.buyers / result.seconds);
    if (!written) {
        std::fprintf(stderr, "cannot write %s\n", o.out_file.c_str());
        return 2;
    }
    return result.failed == 0 ? 0 : 1;
}

int run_holds(const Options& o) {
    std::vector<std::string> tokens, seat_ids;
    if (!read_lines(o.tokens_file, tokens) ||
        (o.grade.empty() && !read_lines(o.seat_ids_file, seat_ids))) {
        std::fprintf(stderr, "cannot read %s or %s\n", o.tokens_file.c_str(),
                     o.seat_ids_file.c_str());
        return 2;
    }
    for (auto& line : tokens) line = line.substr(0, line.find(' '));  // "<access> <refresh>"
    if (tokens.size() < static_cast<std::size_t>(o.buyers) ||
        (o.grade.empty() && seat_ids.size() < static_cast<std::size_t>(o.hot))) {
        std::fprintf(stderr, "%zu tokens for %d buyers, %zu seats for %d hot ones\n", tokens.size(),
                     o.buyers, seat_ids.size(), o.hot);
        return 2;
    }
    const int seats = static_cast<int>(seat_ids.size());
    std::mt19937_64 random(12345);
    std::uniform_real_distribution<double> coin(0, 1);
    std::uniform_int_distribution<int> hot_seat(0, o.hot - 1);
    std::uniform_int_distribution<int> other_seat(o.hot < seats ? o.hot : 0,
                                                  std::max(0, seats - 1));
    std::vector<int> tries(static_cast<std::size_t>(o.buyers), 0);
    std::vector<int> holds_of(static_cast<std::size_t>(o.buyers), 0);
    std::deque<int> ready;
    for (int i = 0; i < o.buyers; ++i) ready.push_back(i);
    std::deque<Attempt> pending;
    std::unordered_map<uint64_t, Attempt> in_flight;
    LatencyReport report;
    int done = 0;
    std::size_t held = 0;
    int last_seat = -1;  // the seat request_for picked
    auto request_for = [&](int buyer) {
        std::string body;
        if (!o.grade.empty()) {
            body = "{\"scheduleId\":\"" + o.schedule + "\",\"gradeId\":\"" + o.grade +
                   "\",\"quantity\":1}";
        } else {
            const int seat = coin(random) < o.hot_share ? hot_seat(random) : other_seat(random);
            last_seat = seat;
            body = "{\"scheduleId\":\"" + o.schedule + "\",\"seatIds\":[\"" +
                   seat_ids[static_cast<std::size_t>(seat)] + "\"]}";
        }
        std::string text =
            "POST /api/v1/reservations HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " +
            tokens[static_cast<std::size_t>(buyer)] +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n";
        if (o.idempotency) {  // one key per attempt, unique across schedules (the same buyers run
                              // twice)
            text += "Idempotency-Key: " + o.key_prefix + o.schedule + "-" + std::to_string(buyer) +
                    "-" + std::to_string(holds_of[static_cast<std::size_t>(buyer)]) + "-" +
                    std::to_string(tries[static_cast<std::size_t>(buyer)]) + "\r\n";
        }
        return text + "\r\n" + body;
    };
    struct Second {
        std::vector<uint32_t> latencies_us;
        std::size_t held = 0;
    };
    std::vector<Second> timeline;  // by the second of the attempts' intended send time
    // The first second by tenths, with the 201s' latencies apart: most winners are decided in
    // the sale's first second, and their tail is made there.
    struct Tenth {
        std::vector<uint32_t> latencies_us;
        std::vector<uint32_t> granted_us;
    };
    std::vector<Tenth> first_second(10);
    std::unordered_map<std::string, Clock::time_point> granted_at;  // seat -> its 201 arrived
    // Seated sales: how long after its 201 the seat map's stream showed a granted seat HELD.
    SeatStreamWatch watch;
    bool watching = false;
    if (o.grade.empty()) {
        std::string stream_error;
        watching = watch.start(o.host, o.port, o.schedule, stream_error);
        if (!watching) std::fprintf(stderr, "%s (not measured)\n", stream_error.c_str());
    }
    auto start = Clock::now();
    HttpLoadClient client(
        o.host, o.port, static_cast<std::size_t>(o.connections),
        [&](uint64_t tag, const HttpAnswer& a) {
            const Attempt attempt = in_flight[tag];
            in_flight.erase(tag);
            const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
                a.received - attempt.intended);
            report.record(latency, a.status, a.error_code);
            const auto second =
                static_cast<std::size_t>(std::max(0.0, seconds_between(start, attempt.intended)));
            if (timeline.size() <= second) timeline.resize(second + 1);
            timeline[second].latencies_us.push_back(
                static_cast<uint32_t>(std::min<int64_t>(latency.count(), UINT32_MAX)));
            if (a.status == 201) ++timeline[second].held;
            if (second == 0) {
                const auto tenth = std::min<std::size_t>(
                    9, static_cast<std::size_t>(
                           std::max(0.0, seconds_between(start, attempt.intended)) * 10));
                const auto us =
                    static_cast<uint32_t>(std::min<int64_t>(latency.count(), UINT32_MAX));
                first_second[tenth].latencies_us.push_back(us);
                if (a.status == 201) first_second[tenth].granted_us.push_back(us);
            }
            auto& count = tries[static_cast<std::size_t>(attempt.buyer)];
            if (a.status == 201) {
                ++held;
                if (attempt.seat >= 0)
                    granted_at.emplace(seat_ids[static_cast<std::size_t>(attempt.seat)],
                                       a.received);
                if (++holds_of[static_cast<std::size_t>(attempt.buyer)] < o.holds_per_buyer) {
                    count = 0;  // back for another unit, with its own retries
                    ready.push_back(attempt.buyer);
                } else {
                    ++done;
                }
            } else if ((a.status == 409 || a.status == 503) && count <= o.retries) {
                ready.push_back(attempt.buyer);
            } else {
                ++done;
            }
        });
    std::string error;
    if (!client.connect(error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 2;
    }
    start = Clock::now();
    const auto interval = o.rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(1.0 / o.rate))
                                     : Clock::duration::zero();
    auto next_slot = start;
    uint64_t tag = 0;
    std::size_t max_backlog = 0;
    while (done < o.buyers) {
        const auto now = Clock::now();
        while (next_slot <= now && !ready.empty()) {
            pending.push_back({ready.front(), o.rate > 0 ? next_slot : now});
            ready.pop_front();
            next_slot += interval;
        }
        if (ready.empty() && next_slot < now) next_slot = now;  // nobody wanted the missed slots
        max_backlog = std::max(max_backlog, pending.size());
        while (!pending.empty() && client.has_idle()) {
            const Attempt attempt = pending.front();
            pending.pop_front();
            ++tries[static_cast<std::size_t>(attempt.buyer)];
            std::string text = request_for(attempt.buyer);
            Attempt sent = attempt;
            sent.seat = o.grade.empty() ? last_seat : -1;
            in_flight[++tag] = sent;
            client.send(tag, text);
        }
        // Every idle connection got an attempt above: wait for an answer or the next slot, never
        // spin (a spinning generator takes a core from the server on this 2-core machine).
        client.poll(std::chrono::milliseconds(1));
    }
    const double elapsed = seconds_between(start, Clock::now());
    // Per granted seat: its stream message minus its 201 (0 when the message came first). A seat
    // not shown by the end of the watch counts with the time until then, a lower bound of its
    // delay: leaving it out would let a stream that fell seconds behind report a small p99.
    LatencyReport stream_delay;
    std::size_t unseen = 0;
    if (watching) {
        watch.await_held(granted_at.size(), std::chrono::seconds(5));
        watch.stop();
        const auto watched_until = Clock::now();
        const auto shown = watch.held_at();
        if (const char* dump = std::getenv("ADMIT_BENCH_STREAM_DUMP")) {
            // One line per granted seat, wall clock in us: schedule, seat, 201, shown (0: never).
            const auto wall = [&](Clock::time_point t) {
                return std::chrono::duration_cast<std::chrono::microseconds>(
                           (std::chrono::system_clock::now() +
                            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                t - Clock::now()))
                               .time_since_epoch())
                    .count();
            };
            if (FILE* out = std::fopen(dump, "a")) {
                for (const auto& [seat, answered] : granted_at) {
                    const auto it = shown.find(seat);
                    std::fprintf(out, "%s %s %lld %lld\n", o.schedule.c_str(), seat.c_str(),
                                 static_cast<long long>(wall(answered)),
                                 static_cast<long long>(it == shown.end() ? 0 : wall(it->second)));
                }
                std::fclose(out);
            }
        }
        for (const auto& [seat, answered] : granted_at) {
            const auto it = shown.find(seat);
            if (it == shown.end()) ++unseen;
            const auto at = it == shown.end() ? watched_until : it->second;
            stream_delay.record(
                std::max(std::chrono::microseconds(0),
                         std::chrono::duration_cast<std::chrono::microseconds>(at - answered)),
                201, "");
        }
    }
    auto stream_q = [&](double q) { return watching ? stream_delay.quantile_ms(q) : -1.0; };
    const std::size_t decisions =
        report.count_status(201) + report.count_status(409) + report.count_status(422);
    std::printf("holds: %zu attempts by %d buyers in %.2f s (target %.0f/s, %d connections)\n",
                report.count(), o.buyers, elapsed, o.rate, o.connections);
    std::printf("  attempted/s %.0f  succeeded/s %.0f  decisions/s %.0f  held %zu\n",
                report.count() / elapsed, held / elapsed, decisions / elapsed, held);
    std::printf(
        "  latency from intended send: p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms  (max "
        "backlog %zu)\n",
        report.quantile_ms(0.5), report.quantile_ms(0.99), report.quantile_ms(0.999),
        report.quantile_ms(1.0), max_backlog);
    for (const int status : {201, 409}) {
        std::printf("  answers %d alone: p50 %.2f ms  p99 %.2f ms\n", status,
                    report.status_quantile_ms(status, 0.5),
                    report.status_quantile_ms(status, 0.99));
    }
    if (watching) {
        std::printf(
            "  seat map stream after the 201 (each granted seat shown HELD): p50 %.1f ms  p99 %.1f "
            "ms  max %.1f ms  (%zu of %zu seen; an unseen seat counts until the watch ended, 5 s "
            "after the load; %zu snapshots after the first)\n",
            stream_q(0.5), stream_q(0.99), stream_q(1.0), granted_at.size() - unseen,
            granted_at.size(), watch.later_snapshots());
    }
    std::printf("  by second of intended send (attempts, 201s, p50 ms, p99 ms):");
    for (std::size_t i = 0; i < timeline.size(); ++i) {
        auto& l = timeline[i].latencies_us;
        std::printf("%s %zus: %zu %zu %.1f %.1f", i % 4 == 0 ? "\n   " : " |", i, l.size(),
                    timeline[i].held, quantile_ms(l, 0.5), quantile_ms(l, 0.99));
    }
    std::printf(
        "\n  the first second by 100 ms of intended send (attempts p50/p99 ms; 201s: count "
        "p50/p99 ms):");
    for (std::size_t i = 0; i < first_second.size(); ++i) {
        auto& t = first_second[i];
        std::printf("%s %zu00ms: %zu %.1f/%.1f; %zu %.1f/%.1f", i % 3 == 0 ? "\n   " : " |", i,
                    t.latencies_us.size(), quantile_ms(t.latencies_us, 0.5),
                    quantile_ms(t.latencies_us, 0.99), t.granted_us.size(),
                    quantile_ms(t.granted_us, 0.5), quantile_ms(t.granted_us, 0.99));
    }
    std::printf("\n  answers:\n");
    print_answers(report);
    const std::size_t errors = report.count() - decisions;
    std::printf(
        "RESULT mode=hold attempts=%zu attempted_per_s=%.0f succeeded_per_s=%.0f "
        "decisions_per_s=%.0f held=%zu "
        "p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f p99_201_ms=%.2f seat_stream_p99_ms=%.1f "
        "seat_stream_unseen=%zu seat_stream_later_snapshots=%zu errors=%zu\n",
        report.count(), report.count() / elapsed, held / elapsed, decisions / elapsed, held,
        report.quantile_ms(0.5), report.quantile_ms(0.99), report.quantile_ms(0.999),
        report.status_quantile_ms(201, 0.99), stream_q(0.99), unseen,
        watching ? watch.later_snapshots() : 0, errors);
    return 0;
}

}  // namespace
}  // namespace admit::load

int main(int argc, char** argv) {
    admit::load::Options options;
    if (!admit::load::parse(argc, argv, options)) return 2;
    if (options.mode == "bare") return admit::load::run_bare(options);
    if (options.mode == "provision") return admit::load::run_provision(options);
    if (options.mode == "hold") return admit::load::run_holds(options);
    std::fprintf(stderr, "unknown --mode %s (hold, provision or bare)\n", options.mode.c_str());
    return 2;
}

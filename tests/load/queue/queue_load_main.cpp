// queue_load: the load generator of scripts/bench-queue.sh (issue 16's waiting-room benchmark).
//
//   queue_load --port P --schedule SCH --joins 200000 --streams 50000 --connections 64
//              --poll-seconds 5 --reference-seconds 3 --sources 3 --starts EPOCH
//              --admit-seconds 10 --rate 500 --admitd-pid PID --out DIR
//
// One Boost.Asio I/O thread (epoll) runs, in order:
//   1. joins: user usr_b<i> (Bearer test:customer:usr_b<i>) POSTs .../queue for i < joins over
//      `connections` keep-alive connections (closed loop); a 503 or a lost connection is retried;
//      then the operator (test:admin:usr_ops) sets the admission rate to `rate` per second;
//   2. the reference: GET /healthz (answered by the host, no plugin) for reference-seconds over
//      the same connections;
//   3. streams: users 0..streams-1 open .../queue/stream, spread over 127.0.0.2 .. 127.0.0.<1 +
//      sources>; once every stream has its snapshot, admitd's RSS is read from /proc;
//   4. polls: GET .../queue of user (k * 7919) % joins for poll-seconds (closed loop), with the
//      streams open;
//   5. waits until admit-seconds + 3 s after the sale start, reading the streams: each stream
//      notes when an "update" first named its own join id as admitted.
// It prints "RESULT key=value" lines and writes DIR/acknowledged (joins acknowledged),
// DIR/streamers (the join ids of streaming users) and DIR/told ("joinId epochSeconds" per stream
// that heard its admission). Exit 1 when a phase could not run at all.
#include "keepalive_driver.hpp"
#include "sse_holder.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace admit::load {
namespace {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

struct Options {
    uint16_t port = 0;
    std::string schedule;
    std::size_t joins = 200000;
    std::size_t streams = 50000;
    std::size_t connections = 64;
    double poll_seconds = 5;
    double reference_seconds = 3;
    std::size_t sources = 3;
    double starts = 0;
    double admit_seconds = 10;
    long rate = -1;  ///< the operator's rate override; -1: leave the policy's
    long admitd_pid = 0;
    std::string out = ".";
};

void result(const std::string& key, const std::string& value) {
    std::cout << "RESULT " << key << "=" << value << std::endl;
}
void result(const std::string& key, double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.1f", value);
    result(key, std::string(text));
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double now_epoch() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string bearer(std::size_t user) { return "test:customer:usr_b" + std::to_string(user); }

long rss_kib(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return 0;
}

std::string join_id_of(std::string_view body) {
    const auto at = body.find("\"joinId\":\"");
    if (at == std::string_view::npos) return {};
    const auto from = at + 10;
    return std::string(body.substr(from, body.find('"', from) - from));
}

// Runs the io_context until `until` (the streams keep being read).
void serve_until(net::io_context& io, Clock::time_point until) {
    while (Clock::now() < until) {
        io.run_one_for(std::chrono::milliseconds(50));
        if (io.stopped()) io.restart();
    }
}

int run(const Options& o) {
    net::io_context io(1);
    const net::ip::tcp::endpoint server(net::ip::make_address("127.0.0.1"), o.port);
    KeepAliveDriver driver(io, server, o.connections);
    const std::string path = "/api/v1/schedules/" + o.schedule + "/queue";

    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    result("generator_nofile_limit", std::to_string(files.rlim_cur));

    // 1. joins --------------------------------------------------------------------------------
    std::vector<std::string> join_ids(o.joins);
    std::deque<uint64_t> retry;
    std::map<std::string, std::size_t> failures;
    std::size_t next_user = 0, acknowledged = 0, retries = 0;
    auto start = Clock::now();
    driver.run(
        [&]() -> std::optional<KeepAliveDriver::Outgoing> {
            uint64_t user;
            if (!retry.empty()) {
                user = retry.front();
                retry.pop_front();
            } else if (next_user < o.joins) {
                user = next_user++;
            } else {
                return std::nullopt;
            }
            return KeepAliveDriver::Outgoing{user, make_request("POST", path, bearer(user))};
        },
        [&](uint64_t user, const Answer& answer) {
            if (answer.status == 200 || answer.status == 201) {
                join_ids[user] = join_id_of(answer.body);
                ++acknowledged;
                return;
            }
            ++failures[std::to_string(answer.status)];
            if ((answer.status == 0 || answer.status == 503) && retries < o.joins) {
                ++retries;
                retry.push_back(user);
            }
        });
    const double join_seconds = seconds_since(start);
    result("joins", std::to_string(o.joins));
    result("joins_acknowledged", std::to_string(acknowledged));
    result("join_retries", std::to_string(retries));
    result("joins_per_second", static_cast<double>(acknowledged) / join_seconds);
    for (const auto& [status, count] : failures)
        std::cout << "join answers with status " << status << ": " << count << std::endl;
    std::ofstream(o.out + "/acknowledged") << acknowledged << "\n";
    if (acknowledged == 0) return 1;
    // The operator sets the admission rate (what admission.lua answers with a rate override).
    if (o.rate >= 0) {
        int answered = 0;
        bool sent = false;
        driver.run(
            [&]() -> std::optional<KeepAliveDriver::Outgoing> {
                if (sent) return std::nullopt;
                sent = true;
                return KeepAliveDriver::Outgoing{
                    0, make_request("POST", "/api/v1/admin/schedules/" + o.schedule + "/queue/rate",
                                    "test:admin:usr_ops",
                                    "{\"admitPerSecond\":" + std::to_string(o.rate) + "}")};
            },
            [&](uint64_t, const Answer& answer) { answered = answer.status; });
        if (answered != 200) {
            std::cerr << "setting the admission rate answered " << answered << std::endl;
            return 1;
        }
    }
    if (now_epoch() > o.starts)
        std::cout << "warning: the sale started before the joins were done" << std::endl;

    // 2. the reference: the host's own /healthz over the same connections ----------------------
    auto reference = [&](const char* key) {
        std::size_t ok = 0;
        const auto begin = Clock::now();
        const auto until = begin + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(o.reference_seconds));
        driver.run(
            []() -> std::optional<KeepAliveDriver::Outgoing> {
                return KeepAliveDriver::Outgoing{0, make_request("GET", "/healthz", "")};
            },
            [&](uint64_t, const Answer& answer) { ok += answer.status == 200 ? 1 : 0; }, until);
        result(key, static_cast<double>(ok) / seconds_since(begin));
    };
    reference("reference_healthz_per_second");

    // 3. streams ------------------------------------------------------------------------------
    SseHolder holder(io, server);
    std::vector<StreamSpec> specs;
    const std::size_t streams = std::min(o.streams, o.joins);
    const std::size_t per_source = (streams + o.sources - 1) / std::max<std::size_t>(1, o.sources);
    {
        std::ofstream streamers(o.out + "/streamers");
        for (std::size_t i = 0; i < streams; ++i) {
            if (join_ids[i].empty()) continue;
            streamers << join_ids[i] << "\n";
            specs.push_back(StreamSpec{path + "/stream", bearer(i), join_ids[i],
                                       "127.0.0." + std::to_string(2 + i / per_source)});
        }
    }
    start = Clock::now();
    holder.open(std::move(specs));
    while (holder.pending() > 0 && seconds_since(start) < 300)
        serve_until(io, Clock::now() + std::chrono::milliseconds(20));
    result("streams_open", std::to_string(holder.ready()));
    result("streams_failed", std::to_string(holder.failed()));
    result("stream_opens_per_second", static_cast<double>(holder.ready()) / seconds_since(start));
    if (holder.failed() > 0)
        std::cout << "stream failures: " << holder.failure_summary() << std::endl;
    serve_until(io, Clock::now() + std::chrono::seconds(2));
    if (o.admitd_pid > 0)
        result("admitd_rss_mib_with_streams", static_cast<double>(rss_kib(o.admitd_pid)) / 1024);

    // 4. polls, the streams open ----------------------------------------------------------------
    std::size_t polled = 0, poll_errors = 0;
    uint64_t k = 0;
    start = Clock::now();
    const auto poll_until = start + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(o.poll_seconds));
    driver.run(
        [&]() -> std::optional<KeepAliveDriver::Outgoing> {
            const uint64_t user = (k++ * 7919) % o.joins;
            return KeepAliveDriver::Outgoing{user, make_request("GET", path, bearer(user))};
        },
        [&](uint64_t, const Answer& answer) {
            if (answer.status == 200) {
                ++polled;
                return;
            }
            ++poll_errors;
            ++failures["poll " + std::to_string(answer.status)];
        },
        poll_until);
    for (const auto& [what, count] : failures)
        if (what.rfind("poll ", 0) == 0) std::cout << what << ": " << count << std::endl;
    result("polls_per_second", static_cast<double>(polled) / seconds_since(start));
    result("poll_errors", std::to_string(poll_errors));
    reference("reference_healthz_with_streams_per_second");

    // 5. the sale: read the streams until the admission window is over ---------------------------
    const double wait = o.starts + o.admit_seconds + 3 - now_epoch();
    if (wait > 0)
        serve_until(io, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(wait)));
    std::ofstream told(o.out + "/told");
    told.precision(17);
    std::size_t told_count = 0;
    for (const auto& t : holder.told()) {
        told << t.join_id << " " << t.at << "\n";
        ++told_count;
    }
    result("streams_told", std::to_string(told_count));
    result("streams_closed_during_run", std::to_string(holder.closed()));
    if (holder.closed() > 0) std::cout << "stream ends: " << holder.failure_summary() << std::endl;
    result("sse_bytes_received_mib", static_cast<double>(holder.bytes()) / (1 << 20));
    holder.close_all();
    return 0;
}

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const char* v = argv[i + 1];
        if (key == "--port")
            o.port = static_cast<uint16_t>(std::atoi(v));
        else if (key == "--schedule")
            o.schedule = v;
        else if (key == "--joins")
            o.joins = std::strtoull(v, nullptr, 10);
        else if (key == "--streams")
            o.streams = std::strtoull(v, nullptr, 10);
        else if (key == "--connections")
            o.connections = std::strtoull(v, nullptr, 10);
        else if (key == "--poll-seconds")
            o.poll_seconds = std::atof(v);
        else if (key == "--reference-seconds")
            o.reference_seconds = std::atof(v);
        else if (key == "--sources")
            o.sources = std::strtoull(v, nullptr, 10);
        else if (key == "--starts")
            o.starts = std::atof(v);
        else if (key == "--admit-seconds")
            o.admit_seconds = std::atof(v);
        else if (key == "--rate")
            o.rate = std::atol(v);
        else if (key == "--admitd-pid")
            o.admitd_pid = std::atol(v);
        else if (key == "--out")
            o.out = v;
        else
            return false;
    }
    return o.port != 0 && !o.schedule.empty() && o.joins > 0 && o.connections > 0;
}

}  // namespace
}  // namespace admit::load

int main(int argc, char** argv) {
    admit::load::Options options;
    if (!admit::load::parse(argc, argv, options)) {
        std::cerr << "usage: queue_load --port P --schedule SCH [--joins N --streams N "
                     "--connections N --poll-seconds S --reference-seconds S --sources N "
                     "--starts EPOCH --admit-seconds S --rate R --admitd-pid PID --out DIR]\n";
        return 64;
    }
    try {
        return admit::load::run(options);
    } catch (const std::exception& e) {
        std::cerr << "queue_load: " << e.what() << "\n";
        return 1;
    }
}

// purchase_load: full purchases (hold -> prepare -> approve at the simulator -> confirm) against
// admitd or a fleet's load balancer, used by scripts/bench purchase and the fault campaign.
//
//   purchase_load --mode provision --port P --buyers N --password-env VAR --out tokens.txt
//                 [--email-prefix buyer --connections 6]
//   purchase_load --port P --sim-port S --tokens tokens.txt
//                 [--ga-schedule SCH --ga-grade GRD] [--seat-schedule SCH --seat-ids seats.txt
//                  --seat-share 0.1] [--rates 250,500,1000 --phase-seconds 5 --connections 128
//                  --sim-connections 32 --timeout-ms 15000 --confirm-retries 2
//                  --release-share 0 --cancel-share 0 --seed 1 --run-id ID --acks acks.txt
//                  --failures failures.txt]
//
// Provision mode creates (or reuses) buyer accounts through the auth API and writes
// "<access token> <refresh token>" per line (saved sessions are refreshed, not signed in again).
// Purchase mode runs one open-loop phase per rate of --rates: purchases start at that rate for
// --phase-seconds and the phase ends when each of them has finished. Buyer i % N makes purchase
// i. --acks gets one line per 2xx confirm ("reservationId paymentId status"), which the fault
// campaign checks against the database; --failures one line per request that got no answer,
// timed out or got a 5xx ("unix-ms step status code"). Every phase ends with a machine-readable
// line "RESULT phaseK_key=value ..." (K from 1). Exit status 0, or 2 when a server is unreachable.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "purchase_driver.hpp"
#include "tests/load/flash_sale/account_provisioning.hpp"

namespace admit::load {
namespace {

bool read_lines(const std::string& path, std::vector<std::string>& lines) {
    std::ifstream in(path);
    if (!in) return false;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return true;
}

std::vector<double> parse_rates(const std::string& text) {
    std::vector<double> rates;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) rates.push_back(std::atof(item.c_str()));
    }
    return rates;
}

int provision(const std::map<std::string, std::string>& args, uint16_t port) {
    auto get = [&](const char* key, const char* fallback) {
        auto found = args.find(key);
        return found == args.end() ? std::string(fallback) : found->second;
    };
    const std::string out_file = get("out", "");
    const char* password = std::getenv(get("password-env", "PURCHASE_PASSWORD").c_str());
    if (out_file.empty() || password == nullptr || *password == '\0') {
        std::fprintf(stderr, "provision mode needs --out and the password in --password-env\n");
        return 2;
    }
    ProvisioningOptions options{"127.0.0.1",
                                port,
                                std::atoi(get("buyers", "1000").c_str()),
                                std::atoi(get("connections", "6").c_str()),
                                get("email-prefix", "buyer"),
                                password};
    const std::vector<Session> saved = read_sessions(out_file);
    ProvisioningResult result;
    std::string error;
    if (!provision_accounts(options, saved, result, error)) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 2;
    }
    const bool written = write_sessions(out_file, result.sessions);
    std::printf("accounts: %d created, %d existed, %d refreshed, %d failed%s%s in %.1f s\n",
                result.created, result.existed, result.refreshed, result.failed,
                result.first_failure.empty() ? "" : ", first: ", result.first_failure.c_str(),
                result.seconds);
    return (written && result.failed == 0) ? 0 : 1;
}

void print_phase(std::size_t k, const PhaseResult& r) {
    const double per_s = r.seconds > 0 ? static_cast<double>(r.approved) / r.seconds : 0;
    std::printf(
        "phase %zu: offered %.0f purchases/s; %zu started, %zu approved in %.2f s = %.0f "
        "purchases/s\n",
        k, r.offered_rate, r.started, r.approved, r.seconds, per_s);
    std::printf(
        "  declined/failed %zu, unknown %zu, sold out %zu, abandoned %zu, released %zu, "
        "cancelled %zu, requests failed (no answer, timeout, 5xx) %zu\n",
        r.failed_payment, r.unknown, r.sold_out, r.abandoned, r.released, r.cancelled,
        r.request_failures);
    std::printf(
        "  p50/p99 ms: hold %.2f/%.2f  prepare %.2f/%.2f  approve (simulator) %.2f/%.2f  "
        "confirm %.2f/%.2f  whole purchase %.2f/%.2f\n",
        r.hold_p50_ms, r.hold_p99_ms, r.prepare_p50_ms, r.prepare_p99_ms, r.approve_p50_ms,
        r.approve_p99_ms, r.confirm_p50_ms, r.confirm_p99_ms, r.purchase_p50_ms, r.purchase_p99_ms);
    std::printf("  answers:");
    for (const auto& line : r.answers) std::printf(" [%s]", line.c_str());
    std::printf("\n");
    std::printf(
        "RESULT phase%zu_offered=%.0f phase%zu_started=%zu phase%zu_approved=%zu "
        "phase%zu_purchases_per_s=%.1f phase%zu_confirm_p50_ms=%.2f phase%zu_confirm_p99_ms=%.2f "
        "phase%zu_hold_p99_ms=%.2f phase%zu_prepare_p99_ms=%.2f phase%zu_request_failures=%zu "
        "phase%zu_failed_payment=%zu phase%zu_unknown=%zu phase%zu_abandoned=%zu\n",
        k, r.offered_rate, k, r.started, k, r.approved, k, per_s, k, r.confirm_p50_ms, k,
        r.confirm_p99_ms, k, r.hold_p99_ms, k, r.prepare_p99_ms, k, r.request_failures, k,
        r.failed_payment, k, r.unknown, k, r.abandoned);
}

int purchase(const std::map<std::string, std::string>& args, uint16_t port) {
    PurchaseOptions o;
    o.port = port;
    std::string tokens_file, seat_ids_file, acks_file, failures_file;
    for (const auto& [key, value] : args) {
        const double number = std::atof(value.c_str());
        if (key == "sim-port")
            o.sim_port = static_cast<uint16_t>(number);
        else if (key == "tokens")
            tokens_file = value;
        else if (key == "ga-schedule")
            o.ga_schedule = value;
        else if (key == "ga-grade")
            o.ga_grade = value;
        else if (key == "seat-schedule")
            o.seat_schedule = value;
        else if (key == "seat-ids")
            seat_ids_file = value;
        else if (key == "seat-share")
            o.seat_share = number;
        else if (key == "rates")
            o.rates = parse_rates(value);
        else if (key == "phase-seconds")
            o.phase_seconds = number;
        else if (key == "connections")
            o.connections = static_cast<int>(number);
        else if (key == "sim-connections")
            o.sim_connections = static_cast<int>(number);
        else if (key == "timeout-ms")
            o.timeout_ms = static_cast<int>(number);
        else if (key == "confirm-retries")
            o.confirm_retries = static_cast<int>(number);
        else if (key == "release-share")
            o.release_share = number;
        else if (key == "cancel-share")
            o.cancel_share = number;
        else if (key == "seed")
            o.seed = static_cast<uint64_t>(std::atoll(value.c_str()));
        else if (key == "run-id")
            o.run_id = value;
        else if (key == "acks")
            acks_file = value;
        else if (key == "failures")
            failures_file = value;
        else if (key != "port" && key != "mode") {
            std::fprintf(stderr, "unknown option --%s\n", key.c_str());
            return 2;
        }
    }
    if (o.sim_port == 0 || tokens_file.empty() || o.rates.empty() || o.connections < 1 ||
        o.sim_connections < 1) {
        std::fprintf(stderr, "purchase mode needs --sim-port, --tokens and sane --rates\n");
        return 2;
    }
    if (!read_lines(tokens_file, o.tokens)) {
        std::fprintf(stderr, "cannot read %s\n", tokens_file.c_str());
        return 2;
    }
    for (auto& line : o.tokens) line = line.substr(0, line.find(' '));
    if (!seat_ids_file.empty() && !read_lines(seat_ids_file, o.seat_ids)) {
        std::fprintf(stderr, "cannot read %s\n", seat_ids_file.c_str());
        return 2;
    }
    if (!acks_file.empty()) {
        o.acks = std::fopen(acks_file.c_str(), "a");
        if (o.acks == nullptr) {
            std::fprintf(stderr, "cannot open %s\n", acks_file.c_str());
            return 2;
        }
    }
    if (!failures_file.empty()) {
        o.failures = std::fopen(failures_file.c_str(), "a");
        if (o.failures == nullptr) {
            std::fprintf(stderr, "cannot open %s\n", failures_file.c_str());
            return 2;
        }
    }
    std::vector<PhaseResult> results;
    std::string error;
    const bool ran = run_purchases(o, results, error);
    if (o.acks != nullptr) std::fclose(o.acks);
    if (o.failures != nullptr) std::fclose(o.failures);
    if (!ran) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 2;
    }
    for (std::size_t k = 0; k < results.size(); ++k) print_phase(k + 1, results[k]);
    return 0;
}

}  // namespace
}  // namespace admit::load

int main(int argc, char** argv) {
    std::map<std::string, std::string> args;
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        if (key.rfind("--", 0) != 0 || i + 1 >= argc) {
            std::fprintf(stderr, "bad argument %s (options are --name value)\n", key.c_str());
            return 2;
        }
        args[key.substr(2)] = argv[++i];
    }
    const auto port = static_cast<uint16_t>(std::atoi(args["port"].c_str()));
    if (port == 0) {
        std::fprintf(stderr, "--port is required\n");
        return 2;
    }
    const std::string mode = args.count("mode") ? args["mode"] : "purchase";
    if (mode == "provision") return admit::load::provision(args, port);
    if (mode == "purchase") return admit::load::purchase(args, port);
    std::fprintf(stderr, "unknown --mode %s (purchase or provision)\n", mode.c_str());
    return 2;
}

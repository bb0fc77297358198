// PurchaseDriver: full purchases against a running admitd (or the nginx in front of a fleet) and
// the payment simulator: hold -> prepare -> approve at the simulator (POST /sim/approve, the
// checkout page's button without a browser) -> confirm, optionally followed by the buyer's
// cancellation or preceded by a release of the hold. Open loop: purchases start at the offered
// rate whatever the servers do, in phases (one rate each); a phase ends when every purchase it
// started has finished. Not thread-safe: run() drives everything on the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace admit::load {

struct PurchaseOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 0;  ///< admitd or the load balancer
    uint16_t sim_port = 0;
    std::vector<std::string> tokens;  ///< one access token per buyer; purchase i uses i % size
    std::string ga_schedule;          ///< general admission: {scheduleId, gradeId, quantity 1}
    std::string ga_grade;
    std::string seat_schedule;          ///< reserved seating: {scheduleId, seatIds: [one]}
    std::vector<std::string> seat_ids;  ///< of seat_schedule
    double seat_share = 0;              ///< share of purchases on seat_schedule
    int seat_retries = 3;               ///< another seat after 409 SEAT_TAKEN
    std::vector<double> rates = {100};  ///< purchases started per second, one phase each
    double phase_seconds = 5;
    int connections = 128;
    int sim_connections = 32;
    int timeout_ms = 15000;    ///< per request; then the request counts as failed (TIMEOUT)
    int confirm_retries = 2;   ///< resends of a confirm that got no answer or a 5xx (same key)
    double release_share = 0;  ///< share of purchases released (DELETE) instead of paid
    double cancel_share = 0;   ///< share of confirmed purchases the buyer cancels
    uint64_t seed = 1;
    std::string run_id = "run";  ///< makes Idempotency-Keys unique across runs
    std::FILE* acks = nullptr;   ///< one line per 2xx confirm: reservationId paymentId status
    /// One line per request that got no answer, timed out or got a 5xx: unix milliseconds, step,
    /// status, error code (the fault campaign counts those inside each fault's window).
    std::FILE* failures = nullptr;
};

/// The figures of one phase.
struct PhaseResult {
    double offered_rate = 0;
    double seconds = 0;  ///< from the phase's first start to its last answer
    std::size_t started = 0;
    std::size_t approved = 0;  ///< confirms answered APPROVED
    std::size_t failed_payment = 0;
    std::size_t unknown = 0;  ///< confirm answered 202 UNKNOWN
    std::size_t abandoned = 0;
    std::size_t sold_out = 0;
    std::size_t released = 0;
    std::size_t cancelled = 0;
    std::size_t request_failures = 0;  ///< no answer, timeout, 5xx
    double confirm_p50_ms = 0, confirm_p99_ms = 0;
    double hold_p50_ms = 0, hold_p99_ms = 0;
    double prepare_p50_ms = 0, prepare_p99_ms = 0;
    double approve_p50_ms = 0, approve_p99_ms = 0;
    double purchase_p50_ms = 0, purchase_p99_ms = 0;  ///< intended start to confirm answer
    std::vector<std::string> answers;                 ///< "hold 201: 123", ...
};

/// Runs every phase of `options`; false (with `error`) when a server cannot be reached at start.
bool run_purchases(const PurchaseOptions& options, std::vector<PhaseResult>& results,
                   std::string& error);

}  // namespace admit::load

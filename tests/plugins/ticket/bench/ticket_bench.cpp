// bench_ticket: how many codes one thread (one core) verifies offline per second, the whole
// gate decision (base45, strict parsing, venue signature, window and its signature, schedule,
// revocation list, validity), for rotating and for static codes; and, in the same run, the
// reference that bounds it: bare libsodium Ed25519 verifications per second. A rotating code
// needs two of those, a static code one. Also in the same run, the same decisions with a
// VenueSignatureCache on a hot set (a gate sees each ticket again: the next window of its
// rotating code, the scanner re-reading it): the 1,000 tickets' rotating codes of two windows
// and their static codes, cycled, after one warm-up pass. And the first sight of each rotating
// code at a gate whose kit vouches for the schedule's signed tickets (vouched_tickets.hpp; the
// 1,000 tickets among 100,000 digests, as a kit of a 100,000-ticket schedule carries), without
// a cache: one Ed25519 verification per code. Prints one JSON object.
// Usage: bench_ticket [seconds per measurement, default 3]
#include "codes/base45.hpp"
#include "codes/gate_kit.hpp"
#include "codes/init.hpp"
#include "codes/rotating_code.hpp"
#include "codes/venue_key.hpp"
#include "codes/verifier.hpp"
#include "codes/vouched_tickets.hpp"

#include <sodium.h>
#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

using namespace admit::ticket;

constexpr int64_t kOpen = 1'800'000'000;
constexpr int64_t kNow = kOpen + 3600;
constexpr std::size_t kDistinctCodes = 1000;  // distinct tickets, each with its own key pair
constexpr std::size_t kRevoked = 10000;       // a large revocation list, as at a sold-out show
constexpr std::size_t kVouched = 100000;      // digests in the vouching kit

double thread_cpu_seconds() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

/// Counts operations and the thread CPU time they took, over several slices.
struct Meter {
    long count = 0;
    double cpu_seconds = 0;
    double rate() const { return static_cast<double>(count) / cpu_seconds; }
};

/// Runs `run_once` for `seconds` of this thread's CPU time and adds to `meter`; exits when an
/// operation fails.
template <class Fn>
void measure(Meter& meter, double seconds, Fn&& run_once) {
    const double start = thread_cpu_seconds();
    double elapsed = 0;
    while (elapsed < seconds) {
        for (int i = 0; i < 100; ++i, ++meter.count) {
            if (!run_once(meter.count)) {
                std::fprintf(stderr, "bench_ticket: a measured operation failed\n");
                std::exit(1);
            }
        }
        elapsed = thread_cpu_seconds() - start;
    }
    meter.cpu_seconds += elapsed;
}

std::string hex_id(const char* prefix, std::size_t n) {
    char id[64];
    std::snprintf(id, sizeof id, "%s%032zx", prefix, n);
    return id;
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
    if (!init_ticket_codes() || seconds <= 0) return 2;

    const VenueSigningKey venue = VenueSigningKey::generate();
    const VenueSigningKey retired = VenueSigningKey::generate();
    GateKit kit;
    kit.schedule_id = hex_id("sch_", 7);
    kit.valid_from = kOpen;
    kit.valid_until = kOpen + 6 * 3600;
    kit.static_codes_allowed = true;
    kit.keys = {venue.public_key(), retired.public_key()};
    for (std::size_t i = 0; i < kRevoked; ++i) {
        kit.revoked[hex_id("tkt_", 1'000'000 + i)] = Revocation{Revocation::Kind::cancelled, 0};
    }

    std::vector<std::string> rotating;
    std::vector<std::string> rotating_next;  // the same signed tickets, the following window
    std::vector<std::string> statics;
    GateKit vouching_kit = kit;
    for (std::size_t i = 0; i < kDistinctCodes; ++i) {
        TicketPayload payload;
        payload.ticket_id = hex_id("tkt_", i);
        payload.schedule_id = kit.schedule_id;
        payload.place_kind = PlaceKind::seat;
        payload.place = "R-" + std::to_string(i / 40) + "-" + std::to_string(i % 40);
        payload.valid_from = static_cast<uint32_t>(kOpen);
        payload.valid_until = static_cast<uint32_t>(kOpen + 6 * 3600);
        auto printed = venue.issue_code(payload);
        const TicketKeyPair pair = TicketKeyPair::generate();
        payload.ticket_key = pair.public_key();
        auto signed_ticket = venue.issue_code(payload);
        if (!printed || !signed_ticket) return 1;
        auto code = pair.rotating_code(*signed_ticket, kNow);
        auto next = pair.rotating_code(*signed_ticket, kNow + kWindowSeconds);
        if (!code || !next) return 1;
        vouching_kit.vouched.add(vouch_digest(venue.public_key().bytes, *signed_ticket));
        statics.push_back(base45_encode(*printed));
        rotating.push_back(base45_encode(*code));
        rotating_next.push_back(base45_encode(*next));
    }

    for (std::size_t i = vouching_kit.vouched.size(); i < kVouched; ++i) {
        VouchDigest other{};
        randombytes_buf(other.data(), other.size());
        vouching_kit.vouched.add(other);
    }

    // The reference: bare Ed25519 verification of a message as long as a signed ticket.
    std::vector<uint8_t> message(150, 0x5A);
    std::array<uint8_t, 64> secret{};
    PublicKeyBytes public_key{};
    crypto_sign_ed25519_keypair(public_key.data(), secret.data());
    std::array<uint8_t, 64> signature{};
    crypto_sign_ed25519_detached(signature.data(), nullptr, message.data(), message.size(),
                                 secret.data());

    // The three measurements take turns in short slices, so a change of load on the shared
    // machine falls on all of them alike and the ratios stay meaningful.
    // The hot set: the codes of two windows, scanned at a time both are valid (the next window
    // is current, the first one previous); one warm-up pass fills the cache.
    VenueSignatureCache cache(100'000);
    const int64_t hot_now = kNow + kWindowSeconds;
    auto hot_rotating = [&](long i) -> const std::string& {
        const auto n = static_cast<std::size_t>(i) % (2 * kDistinctCodes);
        return n < kDistinctCodes ? rotating[n] : rotating_next[n - kDistinctCodes];
    };
    for (std::size_t i = 0; i < kDistinctCodes; ++i) {
        if (!verify(rotating[i], kit, hot_now, &cache).ok ||
            !verify(statics[i], kit, hot_now, &cache).ok)
            return 1;
    }

    constexpr int kSlices = 10;
    Meter rotating_meter, static_meter, ed25519_meter, rotating_cached_meter, static_cached_meter,
        rotating_vouched_meter;
    for (int slice = 0; slice < kSlices; ++slice) {
        measure(rotating_cached_meter, seconds / kSlices,
                [&](long i) { return verify(hot_rotating(i), kit, hot_now, &cache).ok; });
        measure(static_cached_meter, seconds / kSlices, [&](long i) {
            return verify(statics[static_cast<std::size_t>(i) % kDistinctCodes], kit, hot_now,
                          &cache)
                .ok;
        });
        measure(rotating_vouched_meter, seconds / kSlices, [&](long i) {
            return verify(rotating[static_cast<std::size_t>(i) % kDistinctCodes], vouching_kit,
                          kNow)
                .ok;
        });
        measure(rotating_meter, seconds / kSlices, [&](long i) {
            return verify(rotating[static_cast<std::size_t>(i) % kDistinctCodes], kit, kNow).ok;
        });
        measure(static_meter, seconds / kSlices, [&](long i) {
            return verify(statics[static_cast<std::size_t>(i) % kDistinctCodes], kit, kNow).ok;
        });
        measure(ed25519_meter, seconds / kSlices, [&](long) {
            return crypto_sign_ed25519_verify_detached(signature.data(), message.data(),
                                                       message.size(), public_key.data()) == 0;
        });
    }
    const double rotating_rate = rotating_meter.rate();
    const double static_rate = static_meter.rate();
    const double ed25519_rate = ed25519_meter.rate();
    const double rotating_cached_rate = rotating_cached_meter.rate();
    const double static_cached_rate = static_cached_meter.rate();
    const double rotating_vouched_rate = rotating_vouched_meter.rate();

    const boost::json::object report{
        {"rotating_codes_per_cpu_second", static_cast<int64_t>(rotating_rate)},
        {"static_codes_per_cpu_second", static_cast<int64_t>(static_rate)},
        {"ed25519_verifications_per_cpu_second", static_cast<int64_t>(ed25519_rate)},
        {"rotating_cached_codes_per_cpu_second", static_cast<int64_t>(rotating_cached_rate)},
        {"static_cached_codes_per_cpu_second", static_cast<int64_t>(static_cached_rate)},
        {"rotating_cached_vs_ed25519", rotating_cached_rate / ed25519_rate},
        {"rotating_vouched_codes_per_cpu_second", static_cast<int64_t>(rotating_vouched_rate)},
        {"rotating_vouched_vs_ed25519", rotating_vouched_rate / ed25519_rate},
        {"vouched_in_kit", vouching_kit.vouched.size()},
        {"cache_hits", cache.hits()},
        {"cache_misses", cache.misses()},
        {"rotating_vs_half_ed25519", rotating_rate / (ed25519_rate / 2)},
        {"static_vs_ed25519", static_rate / ed25519_rate},
        {"goal_codes_per_second", 20000},
        {"rotating_code_chars", rotating.front().size()},
        {"static_code_chars", statics.front().size()},
        {"distinct_codes", kDistinctCodes},
        {"revoked_in_kit", kRevoked},
        {"seconds_per_measurement", seconds}};
    std::printf("%s\n", boost::json::serialize(report).c_str());
    return 0;
}

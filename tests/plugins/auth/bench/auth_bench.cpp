// bench_auth: measures, on one thread (= one core), how many password logins per second the
// argon2id parameters allow and how many access tokens per second the authenticator verifies.
// Usage: bench_auth [seconds per measurement, default 3]
#include "access_token.hpp"
#include "password_hasher.hpp"

#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

double thread_cpu_seconds() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

/// Operations per second of this thread's CPU time (per core, whatever else loads the machine);
/// also prints the wall-clock rate.
template <class Fn>
double per_second(const char* what, double seconds, Fn&& run_once) {
    const auto start = Clock::now();
    const double cpu_start = thread_cpu_seconds();
    const auto stop = start + std::chrono::duration<double>(seconds);
    long count = 0;
    while (Clock::now() < stop) {
        if (!run_once()) {
            std::fprintf(stderr, "bench_auth: a measured operation failed\n");
            std::exit(1);
        }
        ++count;
    }
    const double cpu = thread_cpu_seconds() - cpu_start;
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("%s_per_second_per_core %.1f   (wall clock %.1f/s, %ld ops, cpu %.2fs of %.2fs)\n",
                what, static_cast<double>(count) / cpu, static_cast<double>(count) / wall, count,
                cpu, wall);
    return static_cast<double>(count) / cpu;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace admit::auth;
    const double seconds = argc > 1 ? std::atof(argv[1]) : 3.0;
    if (sodium_init() < 0 || seconds <= 0) return 2;

    PasswordHasher hasher(HasherLimits{});
    const auto stored = hasher.hash("correct horse battery", "bench");
    if (!stored) return 1;
    std::printf("argon2id m=%zu KiB t=%llu p=1\n", hasher.limits().memlimit_bytes / 1024,
                hasher.limits().opslimit);
    (void)per_second("logins", seconds, [&] {
        return hasher.verify(*stored, "correct horse battery", "bench").value_or(false);
    });

    KeyRing ring;
    auto key = std::make_shared<const SigningKey>(SigningKey::generate(1'800'000'000));
    ring.replace(key, {std::make_shared<const SigningKey>(SigningKey::generate(1'800'000'000))});
    const TokenSettings settings;
    const AccessClaims claims{"usr_0123456789abcdef0123456789abcdef",
                              "customer",
                              "GOLD",
                              "ses_0123456789abcdef0123456789abcdef",
                              0,
                              1'800'000'000,
                              1'800'000'000,
                              1'800'000'600,
                              "at_0123456789abcdef0123456789abcdef"};
    const auto token = sign_access_token(*key, claims, settings);
    if (!token) return 1;
    (void)per_second("token_verifications", seconds, [&] {
        return verify_access_token(*token, ring, settings, 1'800'000'100).ok();
    });
    (void)per_second("token_signatures", seconds,
                     [&] { return sign_access_token(*key, claims, settings).ok(); });

    std::printf("token_bytes %zu\n", token->size());
    return 0;
}

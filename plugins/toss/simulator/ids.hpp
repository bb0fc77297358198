// Identifiers (paymentKey, transaction keys, webhook event ids) and timestamps. Ids come from a
// generator seeded from std::random_device, not from the chaos seed, so a restarted simulator
// never reissues an id that its journal already holds. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace admit::paysim {

// `length` characters of [A-Za-z0-9] after `prefix`.
std::string random_id(const std::string& prefix, std::size_t length);
// 32 upper-case hex characters (Toss's transactionKey shape).
std::string random_hex_key();

int64_t now_unix_ms();
// "2026-12-05T22:00:01+09:00": seconds precision in KST, as Toss's requestedAt/approvedAt.
std::string toss_time(int64_t unix_ms);
// "2026-12-05T22:00:01.123456": microseconds, no offset, as Toss's webhook createdAt (KST).
std::string toss_event_time(int64_t unix_us);
int64_t now_unix_us();

}  // namespace admit::paysim

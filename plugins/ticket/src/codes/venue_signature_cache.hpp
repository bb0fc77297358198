// A bounded memory of venue signatures that verified: which signed tickets (payload || venue
// signature) a given venue public key has already been checked to sign. A gate sees the same
// ticket many times (a scanner re-reads a QR code several times a second; a rotating code
// changes every 30 s but carries the same signed ticket; the two scans of a double scan), and
// the venue signature is half the cost of a rotating code and all the cost of a static one.
//
// What it remembers and what it never does:
// - Only successes are remembered (remember() is called after crypto_sign verified). A code
//   whose signed ticket differs in any byte (a tampered payload, a grafted signature) has
//   another digest, so it never hits and pays the full verification; a failure is never stored.
// - Entries are keyed by SHA-256(public key || signed ticket): a hit needs the same key and the
//   same bytes. The verifier asks only about keys of the current kit, so a key dropped from
//   the kit stops verifying at once (unknown_key), cache or not.
// - Nothing about the ticket's state is cached: the window signature, revocation, schedule and
//   validity are checked on every scan.
//
// Bounded: at most `capacity` entries, least recently used evicted first (per shard).
// Thread-safe: the entries are split over shards, each behind its own mutex.
#pragma once

#include "digest_hash.hpp"
#include "venue_key.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>

namespace admit::ticket {

class VenueSignatureCache {
  public:
    /// `capacity` entries in total (at least one per shard). About 100 bytes per entry.
    explicit VenueSignatureCache(std::size_t capacity);
    VenueSignatureCache(const VenueSignatureCache&) = delete;
    VenueSignatureCache& operator=(const VenueSignatureCache&) = delete;
    ~VenueSignatureCache();

    /// Whether `signed_ticket` was remembered as signed by `key` (and marks it recently used).
    bool contains(const PublicKeyBytes& key, std::span<const uint8_t> signed_ticket);
    /// Records that the venue signature of `signed_ticket` verified with `key`. Call only after
    /// a successful verification.
    void remember(const PublicKeyBytes& key, std::span<const uint8_t> signed_ticket);

    std::size_t size() const;
    std::size_t capacity() const noexcept { return capacity_; }
    uint64_t hits() const noexcept { return hits_.load(std::memory_order_relaxed); }
    uint64_t misses() const noexcept { return misses_.load(std::memory_order_relaxed); }

  private:
    using Digest = std::array<uint8_t, 32>;
    struct Shard {
        mutable std::mutex mutex;
        std::list<Digest> order;  ///< most recently used first
        std::unordered_map<Digest, std::list<Digest>::iterator, DigestHash> index;
    };
    static constexpr std::size_t kShards = 16;

    static Digest digest_of(const PublicKeyBytes& key, std::span<const uint8_t> signed_ticket);
    Shard& shard_of(const Digest& digest) noexcept;

    std::size_t capacity_;
    std::size_t per_shard_;
    std::unique_ptr<Shard[]> shards_;
    std::atomic<uint64_t> hits_{0};
    std::atomic<uint64_t> misses_{0};
};

}  // namespace admit::ticket

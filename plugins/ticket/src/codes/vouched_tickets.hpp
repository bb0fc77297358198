// VouchedTickets: the signed tickets a gate kit vouches for, so a gate holding the kit need not
// check their venue signatures one scan at a time. A rotating code costs two Ed25519
// verifications (the venue's over the signed ticket, the ticket key's over the window); with
// its signed ticket vouched for, only the window signature is left, which halves the cost of the
// first scan of every ticket at a gate (bench_ticket measures both).
//
// Why this is as strong as the signature it replaces: the kit is what a gate trusts for the
// venue's keys in the first place (it comes from the server, authenticated, over TLS), and a
// vouch names exact bytes: the first 16 bytes of SHA-256("admit-vouch/1" || venue public key ||
// signed ticket). A code whose signed ticket differs in any byte (another seat, validity or
// ticket key, a grafted signature) has another digest and is verified in full; finding a
// different signed ticket with a vouched digest is a 128-bit second-preimage search.
// The server vouches for the live tickets of the schedule (issued or admitted, current issue)
// when asked (GET /api/v1/schedules/{id}/gate-kit?vouch=true); revocations are still checked on
// every scan, vouched or not.
//
// An immutable value after construction; concurrent reads are safe.
#pragma once

#include "digest_hash.hpp"
#include "venue_key.hpp"

#include <admit/sdk/result.hpp>

#include <boost/json/array.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_set>

namespace admit::ticket {

using VouchDigest = std::array<uint8_t, 16>;

/// The digest a kit lists for `signed_ticket` (payload || venue signature) signed by `key`.
VouchDigest vouch_digest(const PublicKeyBytes& key, std::span<const uint8_t> signed_ticket);

class VouchedTickets {
  public:
    void add(const VouchDigest& digest) { digests_.insert(digest); }
    /// Whether the kit vouches for exactly these bytes under exactly this key.
    bool contains(const PublicKeyBytes& key, std::span<const uint8_t> signed_ticket) const;
    bool empty() const noexcept { return digests_.empty(); }
    std::size_t size() const noexcept { return digests_.size(); }

    /// base64url digests, sorted (the same set always serialises to the same text).
    boost::json::array to_json() const;
    /// From to_json()'s form; ADMIT_E_INVALID_ARGUMENT naming the entry otherwise.
    static sdk::Result<VouchedTickets> from_json(const boost::json::array& json);

  private:
    std::unordered_set<VouchDigest, DigestHash> digests_;
};

}  // namespace admit::ticket

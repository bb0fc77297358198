// The client's address: the TCP peer, or, when the peer is a trusted proxy, the rightmost
// untrusted hop of Forwarded / X-Forwarded-For; and the bucket a client's limits are counted in.
// Traps avoided: believing X-Forwarded-For from anyone (a client would pick its own rate-limit
// key), taking its leftmost entry (client-written) instead of the rightmost untrusted one, and
// counting IPv6 clients per address (each host owns a /64: one client, 2^64 keys).
// TrustedProxies is immutable after construction; everything here is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admit::http {

// An IPv4 or IPv6 address in 16 bytes (IPv4 as ::ffff:a.b.c.d).
struct IpAddress {
    std::array<std::uint8_t, 16> bytes{};
    bool v4 = false;
};

// Parses "203.0.113.5", "2001:db8::1", "[2001:db8::1]" (brackets allowed); nullopt otherwise.
std::optional<IpAddress> parse_ip(std::string_view text);
std::string to_string(const IpAddress& address);

// A network: "10.0.0.0/8", "2001:db8::/32", or a single address (a /32 or /128).
struct Cidr {
    IpAddress network;
    int prefix = 0;  // in bits of the family (0..32 for IPv4, 0..128 for IPv6)
};
std::optional<Cidr> parse_cidr(std::string_view text);

class TrustedProxies {
  public:
    TrustedProxies() = default;
    explicit TrustedProxies(std::vector<Cidr> networks) : networks_(std::move(networks)) {}
    bool empty() const { return networks_.empty(); }
    bool trusts(const IpAddress& address) const;

  private:
    std::vector<Cidr> networks_;
};

// The client address of a request from `peer`: `peer` itself unless it is trusted; then the
// hops of Forwarded (for=) or else X-Forwarded-For are walked from the right, skipping trusted
// ones, and the first untrusted hop is the client (the leftmost hop when all are trusted). A
// malformed hop stops the walk at the last trusted address seen (never a client-chosen value).
IpAddress resolve_client(const IpAddress& peer, std::optional<std::string_view> forwarded,
                         std::optional<std::string_view> x_forwarded_for,
                         const TrustedProxies& trusted);

// The key a client's limits are counted under: the IPv4 address, or the /64 of an IPv6 one
// ("2001:db8:1:2::/64").
std::string client_bucket(const IpAddress& address);

}  // namespace admit::http

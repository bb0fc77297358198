#include "host/http/client_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace admit::http {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// The comma-separated elements of a header value, in order.
std::vector<std::string_view> elements(std::string_view list) {
    std::vector<std::string_view> out;
    while (true) {
        std::size_t comma = list.find(',');
        out.push_back(trim(list.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

// The node of one Forwarded element (RFC 7239): the value of its for= parameter, unquoted and
// without a port ("192.0.2.60", "[2001:db8::1]:80" -> "2001:db8::1"); empty when it has none.
std::string_view forwarded_for(std::string_view element) {
    while (!element.empty()) {
        std::size_t semicolon = element.find(';');
        std::string_view pair = trim(element.substr(0, semicolon));
        if (pair.size() > 4 && (pair.substr(0, 4) == "for=" || pair.substr(0, 4) == "For=" ||
                                pair.substr(0, 4) == "FOR=")) {
            std::string_view node = pair.substr(4);
            if (node.size() >= 2 && node.front() == '"' && node.back() == '"')
                node = node.substr(1, node.size() - 2);
            if (!node.empty() && node.front() == '[') {
                std::size_t close = node.find(']');
                return close == std::string_view::npos ? std::string_view()
                                                       : node.substr(0, close + 1);
            }
            std::size_t colon = node.find(':');
            return colon == std::string_view::npos ? node : node.substr(0, colon);
        }
        if (semicolon == std::string_view::npos) break;
        element.remove_prefix(semicolon + 1);
    }
    return {};
}

bool prefix_matches(const IpAddress& network, const IpAddress& address, int bits) {
    int full = bits / 8;
    if (!std::equal(network.bytes.begin(), network.bytes.begin() + full, address.bytes.begin()))
        return false;
    int rest = bits % 8;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (network.bytes[full] & mask) == (address.bytes[full] & mask);
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    if (text.empty() || text.size() > 45) return std::nullopt;
    std::string copy(text);
    IpAddress address;
    in_addr v4{};
    if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
        address.v4 = true;
        address.bytes[10] = 0xff;
        address.bytes[11] = 0xff;
        std::memcpy(&address.bytes[12], &v4, 4);
        return address;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, copy.c_str(), &v6) != 1) return std::nullopt;
    std::memcpy(address.bytes.data(), &v6, 16);
    static const std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    address.v4 = std::equal(std::begin(kMapped), std::end(kMapped), address.bytes.begin());
    return address;
}

std::string to_string(const IpAddress& address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.v4) {
        inet_ntop(AF_INET, &address.bytes[12], text, sizeof text);
    } else {
        inet_ntop(AF_INET6, address.bytes.data(), text, sizeof text);
    }
    return text;
}

std::optional<Cidr> parse_cidr(std::string_view text) {
    std::size_t slash = text.find('/');
    auto address = parse_ip(text.substr(0, slash));
    if (!address) return std::nullopt;
    const int family_bits = address->v4 ? 32 : 128;
    int prefix = family_bits;
    if (slash != std::string_view::npos) {
        std::string_view digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        prefix = std::stoi(std::string(digits));
        if (prefix > family_bits) return std::nullopt;
    }
    return Cidr{*address, prefix};
}

bool TrustedProxies::trusts(const IpAddress& address) const {
    for (const auto& network : networks_) {
        if (network.network.v4 != address.v4) continue;
        const int bits = network.network.v4 ? 96 + network.prefix : network.prefix;
        if (prefix_matches(network.network, address, bits)) return true;
    }
    return false;
}

IpAddress resolve_client(const IpAddress& peer, std::optional<std::string_view> forwarded,
                         std::optional<std::string_view> x_forwarded_for,
                         const TrustedProxies& trusted) {
    if (trusted.empty() || !trusted.trusts(peer)) return peer;
    std::vector<std::string_view> hops;
    if (forwarded) {
        for (auto element : elements(*forwarded)) hops.push_back(forwarded_for(element));
    } else if (x_forwarded_for) {
        hops = elements(*x_forwarded_for);
    }
    IpAddress client = peer;
    for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
        auto address = parse_ip(*hop);
        if (!address) return client;  // "unknown", an obfuscated node, garbage: stop here
        client = *address;
        if (!trusted.trusts(client)) return client;
    }
    return client;
}

std::string client_bucket(const IpAddress& address) {
    if (address.v4) return to_string(address);
    IpAddress network = address;
    std::fill(network.bytes.begin() + 8, network.bytes.end(), 0);
    return to_string(network) + "/64";
}

}  // namespace admit::http

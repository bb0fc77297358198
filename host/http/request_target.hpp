// Request target and Host rules of RFC 9112 (sections 3.2 and 3.3), applied before routing.
// Traps avoided: routing on the raw target (an absolute-form "GET http://host/path" would 404),
// serving an HTTP/1.1 request without a Host, with two, or with an invalid one (RFC 9112 3.2
// requires 400), and answering an over-long target with 431 instead of 414.
#pragma once

#include <optional>
#include <string_view>

namespace admit::http {

// The origin-form part of a request target: "/path?query". An absolute-form target
// ("http://host:8080/path?q") is reduced to its path and query ("/" when it has no path); its
// authority is returned separately. nullopt for anything else (asterisk-form, authority-form,
// relative references, other schemes).
struct OriginTarget {
    std::string_view path_and_query;
    std::optional<std::string_view> authority;  // set for absolute-form only
};
std::optional<OriginTarget> to_origin_target(std::string_view target);

// True when `value` is a valid Host field value: uri-host [ ":" port ] with uri-host an IP-literal
// ("[::1]"), an IPv4 address or a reg-name (unreserved, sub-delims, percent-encoded octets). An
// empty value is valid (RFC 9110 7.2: a target without authority).
bool is_valid_host_value(std::string_view value);

}  // namespace admit::http

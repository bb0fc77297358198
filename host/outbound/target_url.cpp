#include "host/outbound/target_url.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

namespace admit::outbound {

std::string TargetUrl::upstream() const {
    return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

std::string TargetUrl::host_header() const {
    const std::uint16_t default_port = tls ? 443 : 80;
    const bool v6 = host.find(':') != std::string::npos;
    std::string name = v6 ? "[" + host + "]" : host;
    return port == default_port ? name : name + ":" + std::to_string(port);
}

Result<TargetUrl> parse_target_url(std::string_view url) {
    auto invalid = [&](std::string_view why) {
        return Error{ErrorCode::INVALID_ARGUMENT,
                     "outbound URL '" + std::string(url) + "': " + std::string(why)};
    };
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed) return invalid("not an absolute URI");
    const auto& u = *parsed;
    TargetUrl out;
    if (u.scheme() == "https") {
        out.tls = true;
    } else if (u.scheme() != "http") {
        return invalid("scheme must be http or https");
    }
    if (u.has_userinfo()) return invalid("user info is not allowed");
    if (u.has_fragment()) return invalid("a fragment is not allowed");
    std::string host(u.encoded_host_address());
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty()) return invalid("no host");
    out.host = std::move(host);
    out.port = out.tls ? 443 : 80;
    if (u.has_port()) {
        const std::string_view port = u.port();
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
            return invalid("bad port");
        out.port = static_cast<std::uint16_t>(value);
    }
    out.target = std::string(u.encoded_path());
    if (out.target.empty()) out.target = "/";
    if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
    return out;
}

}  // namespace admit::outbound

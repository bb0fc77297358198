#include "host/outbound/target_url.hpp"

#include <boost/url/parse.hpp>
#include <charconv>

namespace admit::outbound {

// Built with append rather than operator+ chains: GCC 12 at -O3 reports a false -Wrestrict on
// those (a known compiler bug).
std::string TargetUrl::upstream() const {
    std::string out(tls ? "https://" : "http://");
    out.append(host).append(":").append(std::to_string(port));
    return out;
}

std::string TargetUrl::host_header() const {
    const std::uint16_t default_port = tls ? 443 : 80;
    const bool v6 = host.find(':') != std::string::npos;
    std::string out;
    if (v6) out.append("[");
    out.append(host);
    if (v6) out.append("]");
    if (port != default_port) out.append(":").append(std::to_string(port));
    return out;
}

Result<TargetUrl> parse_target_url(std::string_view url) {
    auto invalid = [&](std::string_view why) {
        std::string message("outbound URL '");
        message.append(url).append("': ").append(why);
        return Error{ErrorCode::INVALID_ARGUMENT, std::move(message)};
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
    const std::string_view path = u.encoded_path();
    out.target.assign(path.empty() ? std::string_view("/") : path);
    if (u.has_query()) out.target.append("?").append(u.encoded_query());
    return out;
}

}  // namespace admit::outbound

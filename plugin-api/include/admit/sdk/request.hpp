// Read-only views of a request and its principal, as a route handler sees them.
// Everything returned by these views borrows from the host and is valid during the handler call
// only.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/later_response.hpp>
#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace admit::sdk {

/// Who is calling (a view). An anonymous caller has an empty subject and no roles. Roles are names
/// the venue configuration declares; claims are opaque strings the authenticator attached.
class Principal {
  public:
    explicit Principal(const admit_principal* raw = nullptr) noexcept : raw_(raw) {}

    std::string_view subject() const noexcept {
        return raw_ ? from_abi(raw_->subject) : std::string_view{};
    }
    std::string_view session() const noexcept {
        return raw_ ? from_abi(raw_->session) : std::string_view{};
    }
    bool authenticated() const noexcept { return !subject().empty(); }
    std::size_t role_count() const noexcept {
        return raw_ != nullptr && raw_->roles != nullptr ? raw_->role_count : 0;
    }
    std::string_view role(std::size_t i) const noexcept {
        return i < role_count() ? from_abi(raw_->roles[i]) : std::string_view{};
    }
    /// The first role (most principals have exactly one), empty for an anonymous caller.
    std::string_view primary_role() const noexcept { return role(0); }
    bool has_role(std::string_view role) const noexcept {
        if (!authenticated()) return false;
        for (std::size_t i = 0; i < role_count(); ++i) {
            if (this->role(i) == role) return true;
        }
        return false;
    }
    /// The value of claim `name`, or nullopt when the authenticator attached none.
    std::optional<std::string_view> claim(std::string_view name) const noexcept {
        if (raw_ == nullptr || raw_->claims == nullptr) return std::nullopt;
        for (uint32_t i = 0; i < raw_->claim_count; ++i) {
            if (from_abi(raw_->claims[i].key) == name) return from_abi(raw_->claims[i].value);
        }
        return std::nullopt;
    }
    /// The raw struct, to pass on as the caller of a service call (may be NULL).
    const admit_principal* raw() const noexcept { return raw_; }

  private:
    const admit_principal* raw_;
};

/// Decodes %XX escapes and '+' (as space) of a URL query component. Malformed escapes stay as is.
inline std::string url_decode(std::string_view text) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
                   hex(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

/// Value of query parameter `name` in a raw query string ("a=1&b=x%20y"), URL-decoded; the first
/// occurrence wins; a key without '=' has an empty value; nullopt when absent.
inline std::optional<std::string> query_param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        if (url_decode(key) == name) {
            return eq == std::string_view::npos ? std::string{} : url_decode(pair.substr(eq + 1));
        }
    }
    return std::nullopt;
}

/// What a route binding lends its Request so the handler may answer later (ABI 1.6). Internal to
/// the SDK: RouteBinding owns it for the duration of one handler call.
struct DeferralSlot {
    HostHandle handle;
    admit_response* response = nullptr;
    const std::string* label = nullptr;
    bool deferred = false;  ///< set by Request::defer()
};

/// A request as a route handler sees it (a view over the host's admit_request).
class Request {
  public:
    explicit Request(const admit_request* raw, DeferralSlot* deferral = nullptr) noexcept
        : raw_(raw), deferral_(deferral) {}

    /// Answer later (ABI 1.6): on success the handler must return Response::later() and answer
    /// through the LaterResponse, from any thread. nullopt when this request cannot be deferred
    /// (a host older than 1.6, a stream, a test without a host, or deferred already): answer now.
    std::optional<LaterResponse> defer() const noexcept {
        if (deferral_ == nullptr || deferral_->deferred || deferral_->response == nullptr ||
            !ADMIT_HOST_OFFERS(deferral_->handle.api, deferred_finish))
            return std::nullopt;
        admit_deferred* deferred = deferral_->handle.api->response_defer(deferral_->response);
        if (deferred == nullptr) return std::nullopt;
        deferral_->deferred = true;
        try {
            return LaterResponse(deferral_->handle, deferred,
                                 deferral_->label ? *deferral_->label : std::string());
        } catch (...) {  // the label's copy: answer 500 rather than leave the request waiting
            deferral_->handle.api->deferred_finish(deferred);
            return std::nullopt;
        }
    }

    std::string_view method() const noexcept { return from_abi(raw_->method); }
    std::string_view path() const noexcept { return from_abi(raw_->path); }
    /// Raw query string without '?'.
    std::string_view query() const noexcept { return from_abi(raw_->query); }
    /// URL-decoded value of query parameter `name`, nullopt when absent.
    std::optional<std::string> query(std::string_view name) const {
        return query_param(query(), name);
    }
    std::string_view body() const noexcept { return from_abi(raw_->body); }
    std::string_view trace_id() const noexcept { return from_abi(raw_->trace_id); }
    std::string_view remote_addr() const noexcept { return from_abi(raw_->remote_addr); }
    std::string_view idempotency_key() const noexcept {
        return ADMIT_HAS_FIELD(raw_, admit_request, idempotency_key)
                   ? from_abi(raw_->idempotency_key)
                   : std::string_view{};
    }
    Principal principal() const noexcept { return Principal(raw_->principal); }

    /// Path parameter of the route template ("{hallId}"); empty when the template has none.
    std::string_view param(std::string_view name) const noexcept {
        for (uint32_t i = 0; i < raw_->param_count; ++i) {
            if (from_abi(raw_->params[i].key) == name) {
                return from_abi(raw_->params[i].value);
            }
        }
        return {};
    }

    /// Header value by name (case-insensitive; the host passes names in lower case).
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        for (uint32_t i = 0; i < raw_->header_count; ++i) {
            if (equals_ignoring_case(from_abi(raw_->headers[i].key), name)) {
                return from_abi(raw_->headers[i].value);
            }
        }
        return std::nullopt;
    }

    /// The body parsed as JSON; ADMIT_E_INVALID_ARGUMENT "request body is not valid JSON: ..."
    Result<boost::json::value> json() const {
        boost::system::error_code ec;
        boost::json::value value = boost::json::parse(body(), ec);
        if (ec) {
            return Error::invalid("request body is not valid JSON: " + ec.message());
        }
        return value;
    }

    /// The body parsed as a JSON object; errors name what was wrong.
    Result<boost::json::object> json_object() const {
        auto value = json();
        if (!value) {
            return std::move(value).error();
        }
        if (!value->is_object()) {
            return Error::invalid("request body must be a JSON object");
        }
        return std::move(value->as_object());
    }

    const admit_request* raw() const noexcept { return raw_; }

  private:
    static bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i) {
            auto lower = [](char c) {
                return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            };
            if (lower(a[i]) != lower(b[i])) return false;
        }
        return true;
    }

    const admit_request* raw_;
    DeferralSlot* deferral_;
};

}  // namespace admit::sdk

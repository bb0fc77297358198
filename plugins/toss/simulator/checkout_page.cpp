#include "checkout_page.hpp"

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "form_codec.hpp"
#include "request_json.hpp"
#include "simulator.hpp"

namespace admit::paysim {
namespace {

struct Order {
    std::string order_id;
    int64_t amount = 0;
    std::string order_name;
    std::string success_url;
    std::string fail_url;
};

void security_headers(SimReply& r, const StartupConfig& startup) {
    std::string form_action = "'self'";
    if (startup.allowed_redirect_origins.empty()) {
        form_action += " http: https:";
    } else {
        for (const auto& o : startup.allowed_redirect_origins) form_action += " " + o;
    }
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; form-action " + form_action +
                               "; frame-ancestors 'none'; base-uri 'none'");
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
}

std::string page(const std::string& title, const std::string& main) {
    return fmt::format(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>{}</title>\n</head>\n<body>\n<main>\n{}</main>\n</body>\n</html>\n",
        html_escape(title), main);
}

SimReply html_reply(Simulator& sim, int status, std::string body) {
    SimReply r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::move(body);
    security_headers(r, sim.startup());
    return r;
}

SimReply bad_request(Simulator& sim, const std::string& why) {
    bump(sim.stats().bad_requests);
    return html_reply(
        sim, 400,
        page("Invalid payment request",
             "<h1>Invalid payment request</h1>\n<p role=\"alert\">" + html_escape(why) + "</p>\n"));
}

// An http(s) URL with a host, optionally restricted to the configured origins.
std::optional<std::string> check_redirect(const StartupConfig& startup, const std::string& name,
                                          const std::string& value) {
    auto parsed = boost::urls::parse_absolute_uri(value);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
        parsed->encoded_host().empty() || parsed->has_userinfo()) {
        return name + " must be an absolute http(s) URL";
    }
    if (!startup.allowed_redirect_origins.empty()) {
        std::string origin =
            std::string(parsed->scheme()) + "://" + std::string(parsed->encoded_host_and_port());
        bool allowed = false;
        for (const auto& o : startup.allowed_redirect_origins) allowed = allowed || o == origin;
        if (!allowed) return name + " is not on an allowed origin";
    }
    return std::nullopt;
}

std::variant<Order, std::string> read_order(const Simulator& sim,
                                            const std::map<std::string, std::string>& fields) {
    auto get = [&](const char* name) -> std::optional<std::string> {
        auto it = fields.find(name);
        if (it == fields.end()) return std::nullopt;
        return it->second;
    };
    Order o;
    auto order_id = get("orderId");
    if (!order_id) return std::string("orderId is required");
    if (!valid_order_id(*order_id)) return std::string(kOrderIdRule);
    o.order_id = *order_id;
    auto amount = get("amount");
    if (!amount) return std::string("amount is required");
    auto parsed = parse_amount_text(*amount);
    if (!parsed) return std::string("amount must be a positive integer (KRW)");
    o.amount = *parsed;
    o.order_name = get("orderName").value_or("");
    if (!valid_text(o.order_name, 100))
        return std::string("orderName must be at most 100 characters");
    auto success = get("successUrl");
    auto fail = get("failUrl");
    if (!success) return std::string("successUrl is required");
    if (!fail) return std::string("failUrl is required");
    if (auto err = check_redirect(sim.startup(), "successUrl", *success)) return *err;
    if (auto err = check_redirect(sim.startup(), "failUrl", *fail)) return *err;
    o.success_url = *success;
    o.fail_url = *fail;
    return o;
}

std::string with_params(const std::string& base,
                        std::initializer_list<std::pair<std::string, std::string>> params) {
    boost::urls::url u(base);
    for (const auto& [k, v] : params) u.params().append({k, v});
    return std::string(u.buffer());
}

SimReply redirect(Simulator& sim, const std::string& location) {
    SimReply r = html_reply(
        sim, 303,
        page("Redirecting", "<p><a href=\"" + html_escape(location) + "\">Continue</a></p>\n"));
    r.headers.emplace_back("Location", location);
    return r;
}

std::string hidden_fields(const Order& o) {
    return fmt::format(
        "<input type=\"hidden\" name=\"orderId\" value=\"{}\">\n"
        "<input type=\"hidden\" name=\"amount\" value=\"{}\">\n"
        "<input type=\"hidden\" name=\"orderName\" value=\"{}\">\n"
        "<input type=\"hidden\" name=\"successUrl\" value=\"{}\">\n"
        "<input type=\"hidden\" name=\"failUrl\" value=\"{}\">\n",
        html_escape(o.order_id), o.amount, html_escape(o.order_name), html_escape(o.success_url),
        html_escape(o.fail_url));
}

std::string won(int64_t amount) {
    std::string digits = std::to_string(amount);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return "KRW " + out;
}

SimReply show(Simulator& sim, const Order& o) {
    std::string name = o.order_name.empty() ? o.order_id : o.order_name;
    std::string main = fmt::format(
        "<h1>Confirm your payment</h1>\n"
        "<p>Admit payment simulator: no real money moves.</p>\n"
        "<dl>\n<dt>Order</dt><dd>{}</dd>\n<dt>Order ID</dt><dd>{}</dd>\n"
        "<dt>Amount</dt><dd>{}</dd>\n</dl>\n"
        "<form method=\"post\" action=\"/checkout/approve\">\n{}"
        "<button type=\"submit\">Approve payment of {}</button>\n</form>\n"
        "<form method=\"post\" action=\"/checkout/decline\">\n{}"
        "<button type=\"submit\">Decline</button>\n</form>\n",
        html_escape(name), html_escape(o.order_id), won(o.amount), hidden_fields(o), won(o.amount),
        hidden_fields(o));
    return html_reply(sim, 200, page("Pay " + won(o.amount) + " - admit-pay-sim", main));
}

}  // namespace

SimReply handle_checkout(Simulator& sim, const SimRequest& req) {
    bool is_get = req.path == "/checkout";
    bool approve = req.path == "/checkout/approve";
    bool decline = req.path == "/checkout/decline";
    if (!is_get && !approve && !decline) return bad_request(sim, "unknown checkout path");
    if ((is_get && req.method != "GET" && req.method != "HEAD") ||
        (!is_get && req.method != "POST")) {
        SimReply r =
            html_reply(sim, 405, page("Method not allowed", "<h1>Method not allowed</h1>\n"));
        r.headers.emplace_back("Allow", is_get ? "GET" : "POST");
        return r;
    }
    if (!is_get && req.content_type.rfind("application/x-www-form-urlencoded", 0) != 0) {
        return bad_request(sim, "the form must be sent as application/x-www-form-urlencoded");
    }
    auto fields = parse_form(is_get ? req.query : req.body);
    if (!fields)
        return bad_request(sim, "the parameters are not valid form encoding (or repeat a name)");
    auto order = read_order(sim, *fields);
    if (auto* err = std::get_if<std::string>(&order)) return bad_request(sim, *err);
    const Order& o = std::get<Order>(order);
    if (is_get) return show(sim, o);
    if (decline) {
        return redirect(sim,
                        with_params(o.fail_url, {{"code", "PAY_PROCESS_CANCELED"},
                                                 {"message", "The buyer declined the payment."},
                                                 {"orderId", o.order_id}}));
    }
    auto result = sim.ledger().approve(o.order_id, o.amount, o.order_name);
    if (!result.ok) {
        return redirect(sim, with_params(o.fail_url, {{"code", result.code},
                                                      {"message", result.message},
                                                      {"orderId", o.order_id}}));
    }
    bump(sim.stats().approvals);
    return redirect(sim, with_params(o.success_url, {{"paymentKey", result.payment_key},
                                                     {"orderId", o.order_id},
                                                     {"amount", std::to_string(o.amount)}}));
}

}  // namespace admit::paysim

// Issue 13 item 7: the route x role x owner matrix. One platform with every plugin; for each of two
// owners A and B one object of each kind (hall, stage, seat, product, schedule, reservation,
// payment, ticket, notification, ...); then every operation of /openapi.json is called as
// {anonymous, customer A, customer B, seller A, seller B, staff, admin} x {A's object, B's object}
// and the status is compared with what the operation's declared roles (x-roles) and ownership
// allow:
//   anonymous on a non-public route -> 401; a role the route does not list -> 403;
//   a listed role on another's object -> 403 or 404 (where the plugin hides existence);
//   a listed role on its own object (admins: any) -> neither 400, 401, 403, 404 nor 5xx.
// The operations come from the document, so a new route is covered as soon as it is served; one
// that authorization_matrix_spec.hpp does not know how to fill fails the test with its name.
#include <algorithm>
#include <atomic>
#include <future>
#include <iostream>
#include <regex>
#include <sstream>
#include <tuple>

#include "tests/e2e/authorization_matrix_spec.hpp"
#include "tests/e2e/platform_fixture.hpp"

namespace admit::testing {
namespace {

using matrix::OperationSpec;
using matrix::Scope;
using Objects = std::map<std::string, std::string>;

constexpr const char* kPassword = "long-enough-pw";

struct Principal {
    std::string name;
    std::string role;  // "" for anonymous
    std::string email;
    std::string password;
    std::string token;
    std::string user_id;
    int owner = -1;  // 0: A, 1: B, -1: neither
};

struct Operation {
    std::string id;
    std::string method;  // upper case
    std::string path;
    std::string roles;  // x-roles: "public", "authenticated" or "role_a,role_b"
    bool stream = false;
};

/// What a call must answer.
struct Expectation {
    enum class Kind { allowed, unauthenticated, wrong_role, not_owner } kind = Kind::allowed;
    std::string describe() const {
        switch (kind) {
            case Kind::unauthenticated:
                return "401";
            case Kind::wrong_role:
                return "403";
            case Kind::not_owner:
                return "403 or 404";
            default:
                return "neither 400, 401, 403, 404 nor 5xx";
        }
    }
    bool met_by(int status) const {
        switch (kind) {
            case Kind::unauthenticated:
                return status == 401;
            case Kind::wrong_role:
                return status == 403;
            case Kind::not_owner:
                return status == 403 || status == 404;
            default:
                return status != 0 && status != 400 && status != 401 && status != 403 &&
                       status != 404 && status < 500;
        }
    }
};

/// One request; load shedding by the auth plugin's password-hashing gate under the matrix's
/// parallel logins from one address (503 OVERLOADED, or 429 when this client's share of the gate
/// is taken) is retried as a client does, since it says nothing about who may call what.
HttpResult send(uint16_t port, const std::string& method, const std::string& target,
                const std::string& body, const Headers& headers, int timeout_ms) {
    HttpResult r;
    for (int attempt = 0; attempt < 50; ++attempt) {
        r = http_request(port, method, target, body, headers, timeout_ms);
        const bool shed = (r.status == 503 && r.body.find("OVERLOADED") != std::string::npos) ||
                          (r.status == 429 &&
                           r.body.find("password checks from this client") != std::string::npos);
        if (!shed) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return r;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

/// The kinds a template names, in order ({kind} placeholders).
std::vector<std::string> placeholders(const std::string& text) {
    std::vector<std::string> out;
    static const std::regex pattern(R"(\{([a-zA-Z_]+)\})");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern);
         it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1]);
    return out;
}

int method_rank(const std::string& method) {
    // Creating before reading: a waiting room is joined before the place is read.
    static const std::vector<std::string> order{"POST", "PUT", "PATCH", "GET", "DELETE"};
    auto it = std::find(order.begin(), order.end(), method);
    return static_cast<int>(it - order.begin());
}

class AuthorizationMatrix : public PlatformFixture {
  protected:
    AuthorizationMatrix()
        : PlatformFixture(
              {"auth", "arthall", "product", "queue", "reservation", "toss", "payment", "ticket",
               "log", "notification"},
              "[plugin.notification]\ntemplates_dir = \"" ADMIT_SOURCE_DIR
              "/config/venues/demo/notifications\"\n"
              // ~1,000 calls from one address and a handful of callers: no rate limits here
              "[policies.overrides]\nratelimits = \"" ADMIT_SOURCE_DIR
              "/config/venues/bench-policies/ratelimits.lua\"\n"
              // every allowed create of a hall makes one more hall of its seller
              "[plugin.arthall]\nmax_halls_per_seller = 1000\n") {}

    // --- accounts -------------------------------------------------------------------------

    /// Creates an account with `role` and logs it in: the one place that signs callers up, so
    /// that seller approval (a seller starts PENDING until an admin approves) changes only here.
    Principal make_account(const std::string& name, const std::string& email,
                           const std::string& role, int owner) {
        Principal p{name, role, email, kPassword, "", "", owner};
        p.token = account(email, role);
        p.user_id = me(p.token);
        return p;
    }
    HttpResult api(const std::string& method, const std::string& path, const std::string& token,
                   const std::string& body = "") {
        Headers h;
        if (!token.empty()) h["Authorization"] = "Bearer " + token;
        if (!body.empty()) h["Content-Type"] = "application/json";
        return send(port_, method, "/api/v1" + path, body, h, 30000);
    }
    std::string me(const std::string& token) {
        auto r = call("GET", "/auth/me", token);
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(json_of(r).at("id").as_string());
    }
    /// A new session of `p` (a login).
    std::string session_of(const Principal& p) {
        auto r = api("POST", "/auth/login", "",
                     R"({"email":")" + p.email + R"(","password":")" + p.password + "\"}");
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(json_of(r).at("accessToken").as_string());
    }
    std::string refresh_token_of(const Principal& p) {
        auto r = api("POST", "/auth/login", "",
                     R"({"email":")" + p.email + R"(","password":")" + p.password + "\"}");
        EXPECT_EQ(r.status, 200) << r.body;
        return std::string(json_of(r).at("refreshToken").as_string());
    }

    // --- objects --------------------------------------------------------------------------

    std::string created_id(const HttpResult& r, const char* field) {
        EXPECT_TRUE(r.status == 200 || r.status == 201) << r.status << " " << r.body;
        auto v = json_of(r);
        if (!v.is_object() || !v.as_object().contains(field))
            return "missing-" + std::string(field);
        return std::string(v.at(field).as_string());
    }
    std::string new_hall(const Principal& seller) {
        return created_id(call("POST", "/halls", seller.token, R"({"name":"Matrix Hall"})"),
                          "hallId");
    }
    /// A stage in `hall`; its id and its seats' ids.
    std::pair<std::string, std::vector<std::string>> new_stage(const Principal& seller,
                                                               const std::string& hall,
                                                               const std::string& layout) {
        auto stage = created_id(call("POST", "/halls/" + hall + "/stages", seller.token,
                                     R"({"name":"Main","layout":)" + layout + "}"),
                                "stageId");
        std::vector<std::string> seats;
        auto map = json_of(call("GET", "/stages/" + stage + "/seats"));
        for (const auto& s : map.at("seats").as_array())
            seats.emplace_back(s.as_array().at(0).as_string());
        return {stage, seats};
    }
    std::string new_product(const Principal& seller, const std::string& stage,
                            bool queue_required = false) {
        std::string body = fill_times(replace_all(matrix::kProduct, "{stage}", stage));
        if (queue_required)
            body = replace_all(body, R"("schedules":[{)", R"("schedules":[{"queueRequired":true,)");
        return created_id(call("POST", "/products", seller.token, body), "productId");
    }
    std::string fill_times(std::string text) const {
        text = replace_all(text, "{saleStart}", rfc3339(now_us_ + 60'000'000));
        text = replace_all(text, "{saleEnd}", rfc3339(now_us_ + 86'400'000'000LL));
        return replace_all(text, "{showTime}", rfc3339(now_us_ + 2 * 86'400'000'000LL));
    }
    /// Submits and approves `product`; its first schedule.
    std::string approve(const Principal& seller, const std::string& product) {
        EXPECT_EQ(call("POST", "/products/" + product + "/submit", seller.token).status, 200);
        auto approved = call("POST", "/products/" + product + "/approve", admin_.token);
        EXPECT_EQ(approved.status, 200) << approved.body;
        return std::string(json_of(approved).at("schedules").at(0).at("scheduleId").as_string());
    }

    /// Builds owner `x`'s world: seller X's hall, stage, product on sale with its schedule and a
    /// queued schedule; customer X's paid reservation (payment, ticket, notification) and a
    /// pending one.
    void build_catalog(int x) {
        const Principal& seller = x == 0 ? seller_a_ : seller_b_;
        Objects& o = objects_[x];
        o["hall"] = new_hall(seller);
        auto [stage, seats] =
            new_stage(seller, o["hall"],
                      R"({"sections":[{"name":"A","rows":4,"seatsPerRow":10,"grade":"R"}]})");
        o["stage"] = stage;
        o["seat"] = seats.back();
        seats_[x] = seats;
        o["product"] = new_product(seller, stage);
        o["schedule"] = approve(seller, o["product"]);
        queued_product_[x] = new_product(seller, stage, true);
        o["queued_schedule"] = approve(seller, queued_product_[x]);
        o["draft_product"] = new_product(seller, stage);
        auto draft = json_of(call("GET", "/products/" + o["draft_product"], seller.token));
        o["draft_schedule"] = std::string(draft.at("schedules").at(0).at("scheduleId").as_string());
    }
    void build_purchases(int x) {
        const Principal& buyer = x == 0 ? customer_a_ : customer_b_;
        Objects& o = objects_[x];
        auto paid = hold_when_on_sale(buyer.token, o["schedule"], seats_[x][0]);
        ASSERT_EQ(paid.status, 201) << paid.body;
        const std::string paid_id(json_of(paid).at("reservationId").as_string());
        auto prepared = call("POST", "/payments/prepare", buyer.token,
                             R"({"reservationId":")" + paid_id + R"(","method":"CARD"})");
        ASSERT_EQ(prepared.status, 201) << prepared.body;
        const auto payment = json_of(prepared);
        o["payment"] = std::string(payment.at("paymentId").as_string());
        const std::string key = sim_.approve(std::string(payment.at("orderId").as_string()),
                                             payment.at("amount").at("amount").as_int64());
        auto confirmed =
            call("POST", "/payments/confirm", buyer.token,
                 R"({"paymentId":")" + o["payment"] + R"(","paymentKey":")" + key + "\"}");
        ASSERT_EQ(confirmed.status, 200) << confirmed.body;
        auto pending = hold_when_on_sale(buyer.token, o["schedule"], seats_[x][1]);
        ASSERT_EQ(pending.status, 201) << pending.body;
        o["reservation"] = std::string(json_of(pending).at("reservationId").as_string());
        o["self"] = buyer.user_id;
        next_seat_[x] = 2;
        // The ticket and the in-app message follow the confirmation (events away).
        auto first_item = [&](const std::string& path, const char* field) {
            for (int i = 0; i < 400; ++i) {
                auto items = json_of(call("GET", path, buyer.token)).at("items").as_array();
                if (!items.empty()) return std::string(items.at(0).at(field).as_string());
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
            }
            return std::string();
        };
        o["ticket"] = first_item("/tickets", "ticketId");
        o["notification"] = first_item("/notifications", "id");
        EXPECT_FALSE(o["ticket"].empty()) << "no ticket for customer " << x;
        EXPECT_FALSE(o["notification"].empty()) << "no notification for customer " << x;
    }

    /// Owner `x`'s objects `o` for one allowed call that changes state, with the kinds that are
    /// cheap to make (hall, stage, seat, product, webhook) new, so that one call never deletes or
    /// moves what another relies on; the rest stay shared (their changes answer 409, not 404).
    Objects fresh(Objects o, int x, const std::vector<std::string>& kinds) {
        const Principal& seller = x == 1 ? seller_b_ : seller_a_;
        auto needs = [&](const char* k) { return std::count(kinds.begin(), kinds.end(), k) > 0; };
        if (needs("hall") || needs("stage") || needs("seat")) {
            o["hall"] = new_hall(seller);
            if (needs("stage") || needs("seat")) {
                auto [stage, seats] = new_stage(seller, o["hall"], matrix::kLayout);
                o["stage"] = stage;
                o["seat"] = seats.front();
            }
        }
        if (needs("product")) o["product"] = new_product(seller, o["stage"]);
        if (needs("webhook")) o["webhook"] = new_webhook();
        return o;
    }
    std::string new_webhook() {
        return created_id(call("POST", "/admin/webhooks", admin_.token,
                               fill_times(matrix::operation_specs().at("createWebhook").body)),
                          "id");
    }

    // --- the matrix -----------------------------------------------------------------------

    std::vector<Operation> operations() {
        auto doc = json_of(http_request(port_, "GET", "/openapi.json"));
        std::vector<Operation> out;
        for (const auto& [path, item] : doc.at("paths").as_object()) {
            for (const auto& [method, op] : item.as_object()) {
                Operation o;
                o.id = std::string(op.at("operationId").as_string());
                o.method = std::string(method);
                std::transform(o.method.begin(), o.method.end(), o.method.begin(), ::toupper);
                o.path = std::string(path);
                o.roles = std::string(op.at("x-roles").as_string());
                for (const auto& [status, response] : op.at("responses").as_object()) {
                    const auto* content = response.as_object().if_contains("content");
                    if (status.starts_with("2") && content != nullptr &&
                        content->as_object().contains("text/event-stream"))
                        o.stream = true;
                }
                out.push_back(std::move(o));
            }
        }
        return out;
    }

    static bool lists_role(const std::string& roles, const std::string& role) {
        if (roles == "public" || roles == "authenticated") return true;
        std::stringstream list(roles);
        for (std::string r; std::getline(list, r, ',');)
            if (r == role) return true;
        return false;
    }

    /// The principal that owns an object of `kind` of owner `x` (nullptr: nobody).
    const Principal* owner_of(const std::string& kind, int x) const {
        if (matrix::kSellerKinds.contains(kind)) return x == 0 ? &seller_a_ : &seller_b_;
        if (matrix::kCustomerKinds.contains(kind)) return x == 0 ? &customer_a_ : &customer_b_;
        return nullptr;
    }

    /// `unpublished`: the object is an unpublished one (a DRAFT product or its schedule), which
    /// only its seller and admins may see, whatever the route's scope.
    Expectation expect_for(const Operation& op, const OperationSpec& spec, const Principal& who,
                           const std::string& decisive_kind, int x, bool unpublished) const {
        using K = Expectation::Kind;
        if (op.roles == "public" && !unpublished) return {K::allowed};
        if (op.roles != "public" && who.role.empty()) return {K::unauthenticated};
        if (!who.role.empty() && !lists_role(op.roles, who.role)) return {K::wrong_role};
        if (unpublished) {
            const Principal* seller = owner_of(decisive_kind, x);
            return {seller->user_id == who.user_id || who.role == "admin" ? K::allowed
                                                                          : K::not_owner};
        }
        if (spec.scope != Scope::owned || decisive_kind.empty() || x < 0) return {K::allowed};
        const Principal* owner = owner_of(decisive_kind, x);
        if (owner != nullptr && owner->user_id == who.user_id) return {K::allowed};
        if (spec.sees_all.contains(who.role)) return {K::allowed};
        return {K::not_owner};
    }

    std::string fill(const std::string& text, const Objects& o, int x) {
        std::string out = fill_times(text);
        for (const auto& kind : placeholders(text)) {
            std::string value;
            if (kind == "email") {
                value = "m" + std::to_string(++unique_) + "@matrix.test";
            } else if (kind == "userEmail") {
                value = bystander_.email;
            } else if (kind == "refreshToken") {
                value = refresh_token_of(bystander_);
            } else if (kind == "freeSeat") {
                value = seats_[x < 0 ? 0 : x].at(next_seat_[x < 0 ? 0 : x]++);
            } else if (kind == "policySource") {
                value = boost::json::serialize(boost::json::value(policy_source_));
            } else if (auto it = o.find(kind); it != o.end()) {
                value = it->second;
            } else {
                continue;  // a time, already filled
            }
            out = replace_all(out, "{" + kind + "}", value);
        }
        return out;
    }

    std::vector<Principal> principals_;
    Principal anonymous_{"anonymous", "", "", "", "", "", -1};
    Principal customer_a_, customer_b_, seller_a_, seller_b_, staff_, admin_, bystander_;
    Objects objects_[2];
    std::vector<std::string> seats_[2];
    std::string queued_product_[2];
    std::atomic<std::size_t> next_seat_[2]{};
    std::atomic<int> unique_{0};
    std::string policy_source_;
    int64_t now_us_ = 0;
};

TEST_F(AuthorizationMatrix, EveryOperationRefusesOtherRolesAndOthersObjects) {
    admin_ = {"admin",
              "admin",
              "root@admit.test",
              "root-password-e2e",
              login("root@admit.test", "root-password-e2e"),
              "",
              -1};
    admin_.user_id = me(admin_.token);
    customer_a_ = make_account("customer A", "customer-a@matrix.test", "customer", 0);
    customer_b_ = make_account("customer B", "customer-b@matrix.test", "customer", 1);
    seller_a_ = make_account("seller A", "seller-a@matrix.test", "seller", 0);
    seller_b_ = make_account("seller B", "seller-b@matrix.test", "seller", 1);
    bystander_ = make_account("bystander", "bystander@matrix.test", "customer", -1);
    staff_ = make_account("staff", "staff@matrix.test", "customer", -1);
    ASSERT_EQ(
        call("PATCH", "/admin/users/" + staff_.user_id, admin_.token, R"({"role":"staff"})").status,
        200);
    staff_.role = "staff";
    staff_.token = session_of(staff_);

    now_us_ = json_of(call("POST", "/admin/clock", admin_.token, R"({"advanceSeconds":0})"))
                  .at("nowUs")
                  .as_int64();
    build_catalog(0);
    build_catalog(1);
    ASSERT_EQ(call("POST", "/admin/clock", admin_.token, R"({"advanceSeconds":61})").status, 200);
    build_purchases(0);
    build_purchases(1);
    ASSERT_FALSE(HasFatalFailure());
    // A self-registered seller nobody reviewed yet: the object of the seller review routes (the
    // matrix's own sellers are approved; rejecting one would take its role mid-run).
    auto signup = api("POST", "/auth/signup", "",
                      std::string(R"({"email":"pending-seller@matrix.test","password":")") +
                          kPassword + R"(","name":"Pending","role":"seller"})");
    ASSERT_EQ(signup.status, 201) << signup.body;
    const std::string pending_seller(json_of(signup).at("id").as_string());
    for (int x : {0, 1}) {
        // The waiting rooms exist before their controls are called.
        const Principal& buyer = x == 0 ? customer_a_ : customer_b_;
        auto joined =
            call("POST", "/schedules/" + objects_[x]["queued_schedule"] + "/queue", buyer.token);
        EXPECT_EQ(joined.status / 100, 2) << joined.body;
        objects_[x]["webhook"] = new_webhook();
        objects_[x]["user"] = bystander_.user_id;
        objects_[x]["pending_seller"] = pending_seller;
        objects_[x]["provider"] = "toss";
        objects_[x]["policy"] = "limits";
    }
    auto policy = json_of(call("GET", "/admin/policies/limits", admin_.token));
    policy_source_ = std::string(policy.at("source").as_string());
    for (int x : {0, 1}) {
        objects_[x]["revision"] = std::string(policy.at("liveRevision").as_string());
    }
    principals_ = {anonymous_, customer_a_, customer_b_, seller_a_, seller_b_, staff_, admin_};

    const auto specs = matrix::operation_specs();
    auto ops = operations();
    std::sort(ops.begin(), ops.end(), [&](const Operation& a, const Operation& b) {
        auto key = [&](const Operation& o) {
            const bool last = specs.contains(o.id) && specs.at(o.id).last;
            return std::make_tuple(last, o.method == "DELETE", o.path, method_rank(o.method));
        };
        return key(a) < key(b);
    });
    std::set<std::string> served;
    std::size_t checks = 0, exempt = 0;
    std::vector<std::string> failures;
    for (const auto& op : ops) {
        served.insert(op.id);
        const std::string where = op.id + " (" + op.method + " " + op.path + ")";
        auto found = specs.find(op.id);
        if (found == specs.end()) {
            failures.push_back(where +
                               ": the matrix does not know how to fill it; add it to "
                               "tests/e2e/authorization_matrix_spec.hpp");
            continue;
        }
        const OperationSpec& spec = found->second;
        // The objects it names: path parameters, then body and query placeholders.
        std::vector<std::string> kinds;
        bool unknown = false;
        for (const auto& param : placeholders(op.path)) {
            auto kind = spec.params.contains(param)           ? spec.params.at(param)
                        : matrix::kParamKinds.contains(param) ? matrix::kParamKinds.at(param)
                                                              : std::string();
            if (kind.empty()) {
                failures.push_back(where + ": path parameter '" + param +
                                   "' names no known object kind");
                unknown = true;
            }
            kinds.push_back(kind);
        }
        if (unknown) continue;
        for (const auto& k : placeholders(spec.body + spec.query)) kinds.push_back(k);
        std::string decisive;
        bool has_owner = false;
        for (const auto& k : kinds) {
            if (owner_of(k, 0) == nullptr) continue;
            has_owner = true;
            if (decisive.empty()) decisive = k;
        }
        const std::vector<int> owners = has_owner ? std::vector<int>{0, 1} : std::vector<int>{-1};
        const bool exempt_allowed = matrix::kAllowedOutcomeExempt.contains(op.id);
        // The published objects, then (for catalog routes) the unpublished ones in their place.
        std::vector<bool> variants{false};
        if (!spec.unpublished.empty() && has_owner) variants.push_back(true);

        struct Outcome {
            std::string who;
            int x;
            Expectation expected;
            HttpResult result;
            bool checked = true;
        };
        std::vector<std::future<Outcome>> calls;
        for (const bool unpublished : variants)
            for (const auto& who : principals_) {
                for (int x : owners) {
                    Objects base = objects_[x < 0 ? 0 : x];
                    if (unpublished) {
                        for (const char* kind : {"product", "schedule", "queued_schedule"})
                            base[kind] = base.at(spec.unpublished);
                    }
                    const auto expected = expect_for(
                        op, spec, who, unpublished ? spec.unpublished : decisive, x, unpublished);
                    const bool allowed = expected.kind == Expectation::Kind::allowed;
                    calls.push_back(std::async(
                        std::launch::async, [&, base, who, x, expected, allowed, unpublished] {
                            const Objects objects =
                                allowed && op.method != "GET" ? fresh(base, x, kinds) : base;
                            std::string path = op.path;
                            for (std::size_t i = 0; const auto& param : placeholders(op.path))
                                path = replace_all(path, "{" + param + "}", objects.at(kinds[i++]));
                            const std::string body = fill(spec.body, objects, x);
                            std::string token = who.token;
                            if (allowed && spec.own_session && !who.role.empty())
                                token = session_of(who);
                            Headers headers;
                            if (!token.empty()) headers["Authorization"] = "Bearer " + token;
                            if (!body.empty()) headers["Content-Type"] = "application/json";
                            Outcome out{who.name + (unpublished ? " (unpublished)" : ""),
                                        x,
                                        expected,
                                        {},
                                        !(allowed && exempt_allowed)};
                            out.result = send(port_, op.method, path + fill(spec.query, objects, x),
                                              body, headers, op.stream ? 1500 : 20000);
                            return out;
                        }));
                }
            }
        for (auto& f : calls) {
            auto out = f.get();
            if (!out.checked) {
                ++exempt;
                continue;
            }
            ++checks;
            if (!out.expected.met_by(out.result.status)) {
                failures.push_back(where + " as " + out.who +
                                   (out.x < 0    ? std::string()
                                    : out.x == 0 ? " on A's object"
                                                 : " on B's object") +
                                   ": " + std::to_string(out.result.status) + ", expected " +
                                   out.expected.describe() + ": " + out.result.body.substr(0, 300));
            }
        }
    }
    for (const auto& [id, spec] : specs) {
        (void)spec;
        if (!served.contains(id))
            failures.push_back(id + ": in the matrix table but not served (renamed or removed?)");
    }
    // Lists answer the caller's own: no list of one owner shows the other owner's objects, and
    // no seller sees another seller's drafts (the matrix made several of each).
    for (int x : {0, 1}) {
        const Principal& buyer = x == 0 ? customer_a_ : customer_b_;
        const Principal& seller = x == 0 ? seller_a_ : seller_b_;
        const Objects& other = objects_[1 - x];
        for (const char* list : {"/reservations", "/payments", "/tickets", "/notifications"}) {
            auto r = api("GET", std::string(list) + "?limit=200", buyer.token);
            EXPECT_EQ(r.status, 200) << list << " " << r.body;
            for (const char* kind : {"reservation", "payment", "ticket", "notification"}) {
                EXPECT_EQ(r.body.find(other.at(kind)), std::string::npos)
                    << buyer.name << "'s " << list << " shows the other owner's " << kind;
            }
            ++checks;
        }
        auto drafts = api("GET", "/products?status=DRAFT&limit=200", seller.token);
        ASSERT_EQ(drafts.status, 200) << drafts.body;
        const auto listed = json_of(drafts);
        const auto& items = listed.at("items").as_array();
        EXPECT_FALSE(items.empty()) << seller.name << " sees none of their own drafts";
        for (const auto& item : items)
            EXPECT_EQ(std::string(item.at("sellerId").as_string()), seller.user_id)
                << seller.name << " sees " << item;
        ++checks;
    }
    for (const auto& f : failures) ADD_FAILURE() << f;
    std::cout << "authorization matrix: " << ops.size() << " operations, " << principals_.size()
              << " principals, objects of 2 owners where a route names one: " << checks
              << " checked calls, lists included (" << exempt << " allowed calls exempt)"
              << std::endl;
    RecordProperty("operations", static_cast<int>(ops.size()));
    RecordProperty("checked_calls", static_cast<int>(checks));
    EXPECT_GT(ops.size(), 60u);
}

}  // namespace
}  // namespace admit::testing

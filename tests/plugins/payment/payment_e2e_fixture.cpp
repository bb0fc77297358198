#include "payment_e2e_fixture.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pqxx/pqxx>

#include <iostream>
#include <thread>

namespace admit::testing {

void PaymentEndToEnd::start_admitd(bool manual_clock, const std::string& payment_toml) {
    admitd_.reset();
    // No ticket plugin in this venue, so no cancel guard (cancel_guard = "").
    TestVenue venue{.plugins = {"test_auth", "product", "reservation", "payment", "stub_pay"},
                    .plugin_dir = PAYMENT_STUB_PLUGIN_DIR,
                    .manual_clock = manual_clock,
                    .extra_toml =
                        "[plugin.reservation]\nexpiry_interval_ms = 100\ncancel_guard = \"\"\n"
                        "[plugin.payment]\nprovider = \"stub_pay\"\n" +
                        payment_toml};
    // Reconciliation runs when a test asks (admin route) unless the test sets an interval.
    if (payment_toml.find("reconcile_interval_ms") == std::string::npos)
        venue.extra_toml += "reconcile_interval_ms = 3600000\n";
    venue.events_toml = "backoff_initial_ms = 50\nbackoff_max_ms = 500\n";
    auto file = write_temp_file("venue.toml", venue_toml(venue, &storage_));
    admitd_ = std::make_unique<AdmitdProcess>(ADMIT_ADMITD_BINARY,
                                              std::vector<std::string>{"--config", file.string()});
    auto port = admitd_->wait_until_serving();
    ASSERT_TRUE(port.has_value()) << admitd_->log();
    port_ = *port;
}

void PaymentEndToEnd::TearDown() {
    if (HasFailure() && admitd_) {
        const auto log = admitd_->log();
        std::cerr << "--- admitd log (end) ---\n"
                  << log.substr(log.size() > 6000 ? log.size() - 6000 : 0) << "\n";
    }
}

HttpResult PaymentEndToEnd::as(const std::string& user, const std::string& method,
                               const std::string& target, const std::string& body,
                               std::map<std::string, std::string> headers,
                               const std::string& role) {
    headers["Authorization"] = bearer(user, role);
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return http_request(port_, method, target, body, headers, 20000);
}

std::string PaymentEndToEnd::hold(const std::string& user, const std::string& schedule,
                                  const std::vector<std::string>& seats) {
    boost::json::array ids;
    for (const auto& seat : seats) ids.emplace_back(seat);
    auto r =
        as(user, "POST", "/api/v1/reservations",
           boost::json::serialize(boost::json::object{{"scheduleId", schedule}, {"seatIds", ids}}));
    EXPECT_EQ(r.status, 201) << r.body;
    auto body = json_of(r);
    return body.contains("reservationId") ? std::string(body.at("reservationId").as_string())
                                          : std::string{};
}

HttpResult PaymentEndToEnd::prepare(const std::string& user, const std::string& reservation_id,
                                    const std::string& extra_fields) {
    return as(
        user, "POST", "/api/v1/payments/prepare",
        R"({"reservationId": ")" + reservation_id + R"(", "method": "CARD")" + extra_fields + "}");
}

Prepared PaymentEndToEnd::prepared(const std::string& user, const std::string& reservation_id) {
    auto r = prepare(user, reservation_id);
    EXPECT_EQ(r.status, 201) << r.body;
    auto body = json_of(r);
    Prepared out;
    if (r.status != 201) return out;
    out.payment_id = std::string(body.at("paymentId").as_string());
    out.order_id = std::string(body.at("orderId").as_string());
    out.amount = body.at("amount").at("amount").as_int64();
    return out;
}

HttpResult PaymentEndToEnd::confirm(const std::string& user, const std::string& payment_id,
                                    const std::string& key, const std::string& extra_fields) {
    return as(user, "POST", "/api/v1/payments/confirm",
              R"({"paymentId": ")" + payment_id + R"(", "paymentKey": ")" + key + "\"" +
                  extra_fields + "}");
}

void PaymentEndToEnd::script(const std::string& order_id, const std::string& confirm_mode,
                             const std::string& cancel_mode) {
    pqxx::connection connection(storage_.pg_url());
    pqxx::work tx(connection);
    tx.exec_params(
        "INSERT INTO stub_pay.script (order_id, confirm_mode, cancel_mode) VALUES ($1, $2, $3) "
        "ON CONFLICT (order_id) DO UPDATE SET confirm_mode = $2, cancel_mode = $3",
        order_id, confirm_mode, cancel_mode);
    tx.commit();
}

HttpResult PaymentEndToEnd::webhook(const boost::json::object& event, int64_t unix_seconds,
                                    const std::string& secret) {
    if (unix_seconds == 0) {
        unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    }
    const std::string body = boost::json::serialize(event);
    const std::string message = std::to_string(unix_seconds) + "." + body;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
    static constexpr char hex[] = "0123456789abcdef";
    std::string signature;
    for (unsigned int i = 0; i < length; ++i) {
        signature.push_back(hex[digest[i] >> 4]);
        signature.push_back(hex[digest[i] & 0x0f]);
    }
    return http_request(
        port_, "POST", "/api/v1/payments/webhooks/stub_pay", body,
        {{"Content-Type", "application/json"},
         {"X-Stub-Signature", "t=" + std::to_string(unix_seconds) + ",v1=" + signature}},
        20000);
}

boost::json::object PaymentEndToEnd::reconcile() {
    auto r = as("usr_admin", "POST", "/api/v1/admin/payments/reconcile", "{}", {}, "admin");
    EXPECT_EQ(r.status, 200) << r.body;
    return json_of(r);
}

void PaymentEndToEnd::advance_clock(int seconds) {
    auto r =
        as("usr_admin", "POST", "/api/v1/admin/clock",
           boost::json::serialize(boost::json::object{{"advanceSeconds", seconds}}), {}, "admin");
    ASSERT_EQ(r.status, 200) << r.body;
}

int64_t PaymentEndToEnd::pg_scalar(const std::string& sql) {
    pqxx::connection connection(storage_.pg_url());
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].as<int64_t>();
}

std::string PaymentEndToEnd::pg_text(const std::string& sql) {
    pqxx::connection connection(storage_.pg_url());
    pqxx::nontransaction tx(connection);
    auto rows = tx.exec(sql);
    if (rows.empty() || rows[0][0].is_null()) return "";
    return rows[0][0].as<std::string>();
}

void PaymentEndToEnd::pg_exec(const std::string& sql) {
    pqxx::connection connection(storage_.pg_url());
    pqxx::nontransaction tx(connection);
    tx.exec(sql);
}

std::string PaymentEndToEnd::payment_status(const std::string& payment_id) {
    return pg_text("SELECT status FROM payment.payments WHERE id = '" + payment_id + "'");
}

std::string PaymentEndToEnd::reservation_status(const std::string& reservation_id) {
    return pg_text("SELECT status FROM reservation.reservations WHERE id = '" + reservation_id +
                   "'");
}

bool PaymentEndToEnd::eventually(const std::function<bool()>& condition,
                                 std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

std::vector<std::string> PaymentEndToEnd::invariant_violations() {
    std::vector<std::string> violations;
    pqxx::connection connection(storage_.pg_url());
    pqxx::nontransaction tx(connection);
    const std::string charged = "('APPROVED', 'PARTIALLY_REFUNDED', 'REFUNDED')";
    for (const auto& row : tx.exec(
             "SELECT p.id FROM payment.payments p WHERE p.status IN " + charged +
             " AND NOT EXISTS (SELECT 1 FROM reservation.reservations r WHERE r.id = "
             "p.reservation_id AND r.payment_id = p.id AND r.status IN ('CONFIRMED', "
             "'CANCELLED')) AND NOT EXISTS (SELECT 1 FROM payment.refunds f WHERE f.payment_id = "
             "p.id AND f.status = 'DONE' AND f.amount = p.approved_amount)")) {
        violations.push_back("charged payment " + row[0].as<std::string>() +
                             " has neither its reservation nor a full refund");
    }
    for (const auto& row :
         tx.exec("SELECT r.id FROM reservation.reservations r WHERE r.status = 'CONFIRMED' AND "
                 "NOT EXISTS (SELECT 1 FROM payment.payments p WHERE p.id = r.payment_id AND "
                 "p.status IN " +
                 charged + ")")) {
        violations.push_back("reservation " + row[0].as<std::string>() +
                             " is CONFIRMED without a charged payment");
    }
    for (const auto& row : tx.exec(
             "SELECT p.id, c.amount, c.balance, p.approved_amount, p.refunded_amount FROM "
             "payment.payments p FULL JOIN (SELECT * FROM stub_pay.charges WHERE status <> "
             "'DECLINED') c ON c.order_id = p.order_id WHERE (c.order_id IS NOT NULL OR p.status "
             "IN " +
             charged + ") AND (p.id IS NULL OR c.order_id IS NULL OR p.status NOT IN " + charged +
             " OR c.amount <> p.approved_amount OR c.balance <> p.approved_amount - "
             "p.refunded_amount)")) {
        violations.push_back(
            "order of payment " + (row[0].is_null() ? std::string("?") : row[0].as<std::string>()) +
            ": stub charged/balance " + (row[1].is_null() ? "-" : row[1].as<std::string>()) + "/" +
            (row[2].is_null() ? "-" : row[2].as<std::string>()) + ", ours " +
            (row[3].is_null() ? "-" : row[3].as<std::string>()) + " - " +
            (row[4].is_null() ? "-" : row[4].as<std::string>()));
    }
    const auto stub =
        tx.exec1(
              "SELECT (SELECT COALESCE(sum(amount), 0) FROM stub_pay.charges WHERE status <> "
              "'DECLINED') - (SELECT COALESCE(sum(amount), 0) FROM stub_pay.refunds)")[0]
            .as<int64_t>();
    const auto ours = tx.exec1(
                            "SELECT COALESCE(sum(approved_amount - refunded_amount), 0) FROM "
                            "payment.payments WHERE status IN " +
                            charged)[0]
                          .as<int64_t>();
    if (stub != ours) {
        violations.push_back("stub ledger net " + std::to_string(stub) + " != ours " +
                             std::to_string(ours));
    }
    return violations;
}

std::string PaymentEndToEnd::code_of(const HttpResult& result) {
    boost::system::error_code ec;
    auto value = boost::json::parse(result.body, ec);
    if (ec || !value.is_object() || !value.as_object().contains("code")) return "";
    return std::string(value.at("code").as_string());
}

boost::json::object PaymentEndToEnd::json_of(const HttpResult& result) {
    boost::system::error_code ec;
    auto value = boost::json::parse(result.body, ec);
    if (ec || !value.is_object()) return {};
    return value.as_object();
}

}  // namespace admit::testing

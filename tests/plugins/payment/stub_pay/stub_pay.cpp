// stub_pay: a test-only payment provider adapter implementing the payment_provider contract
// (plugins/README.md) against its own PostgreSQL ledger (schema stub_pay), so every path of the
// payment plugin's saga runs against a real admitd. Behaviour is scripted per order in
// stub_pay.script (see migrations/001_stub_pay.sql); charges and refunds are real rows the tests'
// invariant checks read. Webhooks are verified with header `x-stub-signature: t=<unix
// seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, 300 s tolerance against the host clock;
// the secret is env ADMIT_STUB_PAY_WEBHOOK_SECRET (default "whsec_stub_test").
#include <admit/sdk.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace stub_pay {

using admit::sdk::Error;
using admit::sdk::Result;
using admit::sdk::Status;
using Json = boost::json::value;
using Object = boost::json::object;

namespace {

std::string text_of(const Object& object, std::string_view field) {
    const auto* value = object.if_contains(field);
    return value && value->is_string() ? std::string(value->as_string()) : std::string{};
}

int64_t amount_of(const Object& object, std::string_view field) {
    const auto* value = object.if_contains(field);
    if (value == nullptr) return 0;
    if (value->is_int64()) return value->as_int64();
    if (value->is_object()) {
        const auto* amount = value->as_object().if_contains("amount");
        if (amount && amount->is_int64()) return amount->as_int64();
    }
    return 0;
}

Object exchange(std::string_view operation, const Object& request, const Object& response) {
    return {{"method", "STUB"},         {"url", "stub://" + std::string(operation)},
            {"requestBody", request},   {"status", 200},
            {"responseBody", response}, {"latencyMs", 0}};
}

std::string hex_hmac(const std::string& secret, const std::string& message) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0x0f]);
    }
    return out;
}

}  // namespace

class StubPay final : public admit::sdk::Plugin {
  public:
    Status init(admit::sdk::Host& host) override {
        host_ = &host;
        const char* secret = std::getenv("ADMIT_STUB_PAY_WEBHOOK_SECRET");
        secret_ = secret != nullptr && *secret != '\0' ? secret : "whsec_stub_test";
        ADMIT_TRY(host.register_migrations());
        ADMIT_TRY(offer(host, "stub_pay.checkout", &StubPay::checkout));
        ADMIT_TRY(offer(host, "stub_pay.confirm", &StubPay::confirm));
        ADMIT_TRY(offer(host, "stub_pay.cancel", &StubPay::cancel));
        ADMIT_TRY(offer(host, "stub_pay.query", &StubPay::query));
        return offer(host, "stub_pay.verify_webhook", &StubPay::verify_webhook);
    }

  private:
    using Method = Result<Json> (StubPay::*)(const Object&);
    Status offer(admit::sdk::Host& host, std::string_view name, Method method) {
        return host.provide(
            name, [this, method](const Json& input, const admit::sdk::Principal&) -> Result<Json> {
                if (!input.is_object()) return Error::invalid("input must be an object");
                return (this->*method)(input.as_object());
            });
    }

    Result<std::string> mode(const std::string& order_id, std::string_view column) {
        auto rows = host_->db().exec(
            "SELECT " + std::string(column) + " AS mode FROM stub_pay.script WHERE order_id = $1",
            order_id);
        if (!rows) return std::move(rows).error();
        if (rows->empty()) return std::string(column == "confirm_mode" ? "APPROVE" : "CANCEL");
        return rows->front().text("mode");
    }

    Result<Json> checkout(const Object& input) {
        const auto order_id = text_of(input, "orderId");
        const auto amount = amount_of(input, "amount");
        if (order_id.empty() || amount <= 0) return Error::invalid("orderId and amount required");
        auto stored = host_->db().exec(
            "INSERT INTO stub_pay.checkouts (order_id, amount) VALUES ($1, $2) ON CONFLICT "
            "(order_id) DO UPDATE SET amount = EXCLUDED.amount",
            order_id, amount);
        if (!stored) return std::move(stored).error();
        return Json(Object{{"checkoutUrl", "http://stub-pay.invalid/checkout/" + order_id}});
    }

    Result<Json> confirm(const Object& input) {
        const auto order_id = text_of(input, "orderId");
        const auto key = text_of(input, "paymentKey");
        const auto amount = amount_of(input, "amount");
        auto behaviour = mode(order_id, "confirm_mode");
        if (!behaviour) return std::move(behaviour).error();
        if (*behaviour == "UNAVAILABLE") return Error::unavailable("stub_pay is down (scripted)");
        // An earlier charge of this order answers again (the provider's idempotency).
        auto earlier = host_->db().exec(
            "SELECT payment_key, amount, status FROM stub_pay.charges WHERE order_id = $1",
            order_id);
        if (!earlier) return std::move(earlier).error();
        if (!earlier->empty() && earlier->front().text("status") != "DECLINED") {
            Object response{
                {"outcome", "APPROVED"},
                {"paymentKey", earlier->front().text("payment_key")},
                {"orderId", order_id},
                {"approvedAmount",
                 {{"amount", earlier->front().int64("amount").value_or(0)}, {"currency", "KRW"}}},
                {"method", "CARD"}};
            response["exchange"] = exchange("confirm", input, response);
            return Json(std::move(response));
        }
        auto expected =
            host_->db().exec("SELECT amount FROM stub_pay.checkouts WHERE order_id = $1", order_id);
        if (!expected) return std::move(expected).error();
        const bool amount_ok =
            !expected->empty() && expected->front().int64("amount").value_or(-1) == amount;
        if (*behaviour == "DECLINE" || !amount_ok) {
            auto declined = host_->db().exec(
                "INSERT INTO stub_pay.charges (order_id, payment_key, amount, balance, status) "
                "VALUES ($1, $2, 0, 0, 'DECLINED') ON CONFLICT (order_id) DO NOTHING",
                order_id, key);
            if (!declined) return std::move(declined).error();
            Object response{{"outcome", "DECLINED"},
                            {"paymentKey", key},
                            {"orderId", order_id},
                            {"failure",
                             {{"code", amount_ok ? "REJECT_CARD_PAYMENT" : "INVALID_AMOUNT"},
                              {"message", amount_ok ? "declined (scripted)"
                                                    : "amount differs from checkout"}}}};
            response["exchange"] = exchange("confirm", input, response);
            return Json(std::move(response));
        }
        if (*behaviour == "UNKNOWN_NOT_CHARGED") {
            return Json(
                Object{{"outcome", "UNKNOWN"}, {"orderId", order_id}, {"exchange", nullptr}});
        }
        const int64_t charged = *behaviour == "WRONG_AMOUNT" ? amount + 1000 : amount;
        auto status = host_->db().transaction([&](admit::sdk::Tx& tx) -> Status {
            auto inserted = tx.exec(
                "INSERT INTO stub_pay.charges (order_id, payment_key, amount, balance, status) "
                "VALUES ($1, $2, $3, $3, 'APPROVED') ON CONFLICT (order_id) DO UPDATE SET "
                "payment_key = EXCLUDED.payment_key, amount = EXCLUDED.amount, balance = "
                "EXCLUDED.balance, status = 'APPROVED'",
                order_id, key, charged);
            if (!inserted) return std::move(inserted).error();
            if (*behaviour == "CRASH_AFTER_CHARGE") {
                auto consumed = tx.exec(
                    "UPDATE stub_pay.script SET confirm_mode = 'APPROVE' WHERE order_id = $1",
                    order_id);
                if (!consumed) return std::move(consumed).error();
            }
            return {};
        });
        if (!status) return std::move(status).error();
        if (*behaviour == "CRASH_AFTER_CHARGE") {
            // The provider charged; admitd dies before the payment plugin commits anything.
            ::kill(::getpid(), SIGKILL);
        }
        if (*behaviour == "UNKNOWN_CHARGED") {
            return Json(
                Object{{"outcome", "UNKNOWN"}, {"orderId", order_id}, {"exchange", nullptr}});
        }
        Object response{{"outcome", "APPROVED"},
                        {"paymentKey", key},
                        {"orderId", order_id},
                        {"approvedAmount", {{"amount", charged}, {"currency", "KRW"}}},
                        {"method", "CARD"}};
        response["exchange"] = exchange("confirm", input, response);
        return Json(std::move(response));
    }

    Result<Json> cancel(const Object& input) {
        const auto order_id = text_of(input, "orderId");
        const auto amount = amount_of(input, "cancelAmount");
        const auto key = text_of(input, "idempotencyKey");
        if (order_id.empty() || amount <= 0 || key.empty())
            return Error::invalid("orderId, cancelAmount and idempotencyKey required");
        auto behaviour = mode(order_id, "cancel_mode");
        if (!behaviour) return std::move(behaviour).error();
        if (*behaviour == "UNKNOWN")
            return Json(Object{{"outcome", "UNKNOWN"}, {"exchange", nullptr}});
        Object response;
        auto status = host_->db().transaction([&](admit::sdk::Tx& tx) -> Status {
            auto charge = tx.exec(
                "SELECT balance FROM stub_pay.charges WHERE order_id = $1 AND status <> "
                "'DECLINED' FOR UPDATE",
                order_id);
            if (!charge) return std::move(charge).error();
            // After the charge's row lock, so concurrent cancels of one order see each other.
            auto replay =
                tx.exec("SELECT amount FROM stub_pay.refunds WHERE idempotency_key = $1", key);
            if (!replay) return std::move(replay).error();
            if (!replay->empty()) {
                response = {{"outcome", "CANCELLED"},
                            {"cancelledAmount", replay->front().int64("amount").value_or(0)},
                            {"balanceAmount",
                             charge->empty() ? 0 : charge->front().int64("balance").value_or(0)}};
                return {};
            }
            const int64_t balance =
                charge->empty() ? 0 : charge->front().int64("balance").value_or(0);
            if (*behaviour == "REFUSE" || charge->empty() || amount > balance) {
                response = {{"outcome", "REFUSED"},
                            {"failure",
                             {{"code", "NOT_CANCELABLE_AMOUNT"},
                              {"message", "refused (scripted or over the balance)"}}}};
                return {};
            }
            auto refunded = tx.exec(
                "INSERT INTO stub_pay.refunds (order_id, amount, idempotency_key) VALUES ($1, $2, "
                "$3)",
                order_id, amount, key);
            if (!refunded) return std::move(refunded).error();
            auto updated = tx.exec(
                "UPDATE stub_pay.charges SET balance = balance - $2, status = CASE WHEN balance - "
                "$2 = 0 THEN 'CANCELLED' ELSE 'PARTIALLY_CANCELLED' END WHERE order_id = $1",
                order_id, amount);
            if (!updated) return std::move(updated).error();
            response = {{"outcome", "CANCELLED"},
                        {"cancelledAmount", {{"amount", amount}, {"currency", "KRW"}}},
                        {"balanceAmount", {{"amount", balance - amount}, {"currency", "KRW"}}}};
            return {};
        });
        if (!status) return std::move(status).error();
        response["exchange"] = exchange("cancel", input, response);
        return Json(std::move(response));
    }

    Result<Json> query(const Object& input) {
        const auto order_id = text_of(input, "orderId");
        auto rows = host_->db().exec(
            "SELECT payment_key, amount, balance, status FROM stub_pay.charges WHERE order_id = $1",
            order_id);
        if (!rows) return std::move(rows).error();
        Object response;
        if (rows->empty()) {
            response = {{"outcome", "NOT_FOUND"}};
        } else {
            const auto row = rows->front();
            response = {
                {"outcome", "FOUND"},
                {"status", row.text("status")},
                {"paymentKey", row.text("payment_key")},
                {"totalAmount", {{"amount", row.int64("amount").value_or(0)}, {"currency", "KRW"}}},
                {"balanceAmount",
                 {{"amount", row.int64("balance").value_or(0)}, {"currency", "KRW"}}}};
        }
        response["exchange"] = exchange("query", input, response);
        return Json(std::move(response));
    }

    Result<Json> verify_webhook(const Object& input) {
        const auto* headers = input.if_contains("headers");
        const std::string body = text_of(input, "body");
        std::string signature;
        if (headers && headers->is_object())
            signature = text_of(headers->as_object(), "x-stub-signature");
        const auto comma = signature.find(",v1=");
        if (!signature.starts_with("t=") || comma == std::string::npos)
            return Json(Object{{"valid", false}, {"reason", "signature"}});
        const std::string timestamp = signature.substr(2, comma - 2);
        const std::string given = signature.substr(comma + 4);
        const std::string wanted = hex_hmac(secret_, timestamp + "." + body);
        if (given.size() != wanted.size() ||
            CRYPTO_memcmp(given.data(), wanted.data(), wanted.size()) != 0) {
            return Json(Object{{"valid", false}, {"reason", "signature"}});
        }
        int64_t at = 0;
        try {
            at = std::stoll(timestamp);
        } catch (const std::exception&) {
            return Json(Object{{"valid", false}, {"reason", "malformed"}});
        }
        if (std::llabs(host_->now_us() / 1'000'000 - at) > 300)
            return Json(Object{{"valid", false}, {"reason", "timestamp"}});
        boost::system::error_code ec;
        auto parsed = boost::json::parse(body, ec);
        if (ec || !parsed.is_object())
            return Json(Object{{"valid", false}, {"reason", "malformed"}});
        const auto& event = parsed.as_object();
        Object answer{{"valid", true},
                      {"eventId", text_of(event, "eventId")},
                      {"eventType", text_of(event, "eventType")},
                      {"orderId", text_of(event, "orderId")},
                      {"paymentKey", text_of(event, "paymentKey")},
                      {"status", text_of(event, "status")},
                      {"occurredAt", text_of(event, "occurredAt")}};
        if (const int64_t amount = amount_of(event, "amount"); amount > 0)
            answer["amount"] = {{"amount", amount}, {"currency", "KRW"}};
        return Json(std::move(answer));
    }

    admit::sdk::Host* host_ = nullptr;
    std::string secret_;
};

}  // namespace stub_pay

ADMIT_PLUGIN(stub_pay, stub_pay::StubPay, "0.0.1-stub");

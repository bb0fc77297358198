#include "purchase_driver.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <random>

#include "tests/load/flash_sale/http_load_client.hpp"
#include "tests/load/flash_sale/latency_report.hpp"

namespace admit::load {
namespace {

namespace json = boost::json;

enum class Step { Hold, Prepare, Approve, Confirm, Cancel, Release };

const char* step_name(Step step) {
    switch (step) {
        case Step::Hold:
            return "hold";
        case Step::Prepare:
            return "prepare";
        case Step::Approve:
            return "approve";
        case Step::Confirm:
            return "confirm";
        case Step::Cancel:
            return "cancel";
        case Step::Release:
            return "release";
    }
    return "?";
}

/// One buyer's purchase; at most one of its requests is in flight at a time.
struct Purchase {
    std::size_t phase = 0;
    std::size_t buyer = 0;
    bool seated = false;
    Step step = Step::Hold;
    int tries = 0;  ///< of the current step
    Clock::time_point intended;
    Clock::time_point ready;  ///< when the current step was queued
    std::string seat, reservation, payment, order, key;
    int64_t amount = 0;
};

/// The string at `path` ("a.b.c") of a JSON object, or "".
std::string text_at(const json::value& root, std::initializer_list<const char*> path) {
    const json::value* at = &root;
    for (const char* name : path) {
        const auto* object = at->if_object();
        if (object == nullptr) return {};
        at = object->if_contains(name);
        if (at == nullptr) return {};
    }
    if (const auto* s = at->if_string()) return std::string(*s);
    if (const auto* i = at->if_int64()) return std::to_string(*i);
    return {};
}

json::value parse_body(const std::string& body) {
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    return ec ? json::value{} : value;
}

std::string request(const char* method, const std::string& path, const std::string& token,
                    const std::string& body, const std::string& idempotency_key) {
    std::string text = method;
    text += ' ';
    text += path;
    text += " HTTP/1.1\r\nHost: load\r\n";
    if (!token.empty()) {
        text += "Authorization: Bearer ";
        text += token;
        text += "\r\n";
    }
    if (!idempotency_key.empty()) {
        text += "Idempotency-Key: ";
        text += idempotency_key;
        text += "\r\n";
    }
    text += "Content-Type: application/json\r\nContent-Length: ";
    text += std::to_string(body.size());
    text += "\r\n\r\n";
    text += body;
    return text;
}

/// Per phase: the answers and latencies of each step.
struct PhaseState {
    PhaseResult result;
    std::map<Step, LatencyReport> steps;
    LatencyReport whole;  ///< intended start to the confirm's answer, approved purchases
    Clock::time_point start, last_answer;
    std::size_t active = 0;
};

class Driver {
  public:
    explicit Driver(const PurchaseOptions& options)
        : o_(options),
          random_(options.seed),
          admit_(o_.host, o_.port, static_cast<std::size_t>(o_.connections),
                 [this](uint64_t tag, const HttpAnswer& a) { on_answer(tag, a); }),
          sim_(o_.host, o_.sim_port, static_cast<std::size_t>(o_.sim_connections),
               [this](uint64_t tag, const HttpAnswer& a) { on_answer(tag, a); }) {
        admit_.keep_body(true);
        sim_.keep_body(true);
    }

    bool connect(std::string& error) { return admit_.connect(error) && sim_.connect(error); }

    void run(std::vector<PhaseResult>& results) {
        for (std::size_t k = 0; k < o_.rates.size(); ++k) {
            phases_.emplace_back();
            run_phase(k);
            results.push_back(finish(phases_.back()));
        }
    }

  private:
    void run_phase(std::size_t k) {
        auto& phase = phases_[k];
        const double rate = o_.rates[k];
        phase.result.offered_rate = rate;
        const auto to_start = static_cast<std::size_t>(rate * o_.phase_seconds);
        const auto interval = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(1.0 / std::max(rate, 0.001)));
        phase.start = Clock::now();
        phase.last_answer = phase.start;
        auto next_slot = phase.start;
        std::size_t started = 0;
        const auto timeout = std::chrono::milliseconds(o_.timeout_ms);
        while (started < to_start || phase.active > 0) {
            auto now = Clock::now();
            while (started < to_start && next_slot <= now) {
                start_purchase(k, next_slot);
                ++started;
                next_slot += interval;
            }
            while (!delayed_.empty() && delayed_.front().first <= now) {
                queue(delayed_.front().second);
                delayed_.pop_front();
            }
            dispatch();
            admit_.expire(now - timeout);
            sim_.expire(now - timeout);
            if (sim_.in_flight() > 0) {
                admit_.poll(std::chrono::milliseconds(0));
                sim_.poll(std::chrono::milliseconds(1));
            } else {
                admit_.poll(std::chrono::milliseconds(1));
            }
        }
        phase.result.started = started;
    }

    void start_purchase(std::size_t phase, Clock::time_point intended) {
        Purchase p;
        p.phase = phase;
        p.buyer = purchases_.size() % o_.tokens.size();
        p.seated =
            !o_.seat_ids.empty() && (o_.ga_schedule.empty() || coin_(random_) < o_.seat_share);
        p.intended = intended;
        p.ready = intended;
        purchases_.push_back(std::move(p));
        ++phases_[phase].active;
        queue(purchases_.size() - 1);
    }

    void queue(std::size_t index) {
        auto& p = purchases_[index];
        (p.step == Step::Approve ? sim_queue_ : admit_queue_).push_back(index);
    }

    void dispatch() {
        while (!admit_queue_.empty() && admit_.has_idle()) {
            const auto index = admit_queue_.front();
            admit_queue_.pop_front();
            admit_.send(index, request_for(index));
        }
        while (!sim_queue_.empty() && sim_.has_idle()) {
            const auto index = sim_queue_.front();
            sim_queue_.pop_front();
            sim_.send(index, request_for(index));
        }
    }

    std::string key_for(std::size_t index, const char* what, int attempt) const {
        return o_.run_id + "-" + std::to_string(index) + "-" + what + std::to_string(attempt);
    }

    std::string request_for(std::size_t index) {
        auto& p = purchases_[index];
        const std::string& token = o_.tokens[p.buyer];
        switch (p.step) {
            case Step::Hold: {
                std::string body;
                if (p.seated) {
                    std::uniform_int_distribution<std::size_t> pick(0, o_.seat_ids.size() - 1);
                    p.seat = o_.seat_ids[pick(random_)];
                    body = R"({"scheduleId":")" + o_.seat_schedule + R"(","seatIds":[")" + p.seat +
                           "\"]}";
                } else {
                    body = R"({"scheduleId":")" + o_.ga_schedule + R"(","gradeId":")" +
                           o_.ga_grade + R"(","quantity":1})";
                }
                return request("POST", "/api/v1/reservations", token, body,
                               key_for(index, "hold", p.tries));
            }
            case Step::Prepare:
                return request("POST", "/api/v1/payments/prepare", token,
                               R"({"reservationId":")" + p.reservation + R"(","method":"CARD"})",
                               key_for(index, "prepare", 0));
            case Step::Approve:
                return request("POST", "/sim/approve", "",
                               R"({"orderId":")" + p.order + R"(","amount":)" +
                                   std::to_string(p.amount) + R"(,"orderName":"load"})",
                               "");
            case Step::Confirm:
                // The same key on every resend: a replay answers the first result.
                return request(
                    "POST", "/api/v1/payments/confirm", token,
                    R"({"paymentId":")" + p.payment + R"(","paymentKey":")" + p.key + "\"}",
                    key_for(index, "confirm", 0));
            case Step::Cancel:
                return request("POST", "/api/v1/reservations/" + p.reservation + "/cancel", token,
                               "{}", key_for(index, "cancel", 0));
            case Step::Release:
                return request("DELETE", "/api/v1/reservations/" + p.reservation, token, "",
                               key_for(index, "release", 0));
        }
        return {};
    }

    void next(std::size_t index, Step step, Clock::time_point now) {
        auto& p = purchases_[index];
        p.step = step;
        p.tries = 0;
        p.ready = now;
        queue(index);
    }

    void retry_later(std::size_t index, Clock::time_point now) {
        auto& p = purchases_[index];
        ++p.tries;
        p.ready = now + std::chrono::milliseconds(200);
        delayed_.emplace_back(p.ready, index);
    }

    void finish_purchase(std::size_t index, Clock::time_point now) {
        auto& phase = phases_[purchases_[index].phase];
        --phase.active;
        phase.last_answer = std::max(phase.last_answer, now);
    }

    static bool transient(const HttpAnswer& a) {
        return a.status == 0 || a.status >= 500 || a.error_code == "IDEMPOTENCY_IN_FLIGHT" ||
               a.error_code == "PAYMENT_IN_PROGRESS";
    }

    void on_answer(uint64_t tag, const HttpAnswer& a) {
        const auto index = static_cast<std::size_t>(tag);
        auto& p = purchases_[index];
        auto& phase = phases_[p.phase];
        const auto now = a.received;
        phase.steps[p.step].record(
            std::chrono::duration_cast<std::chrono::microseconds>(now - p.ready), a.status,
            a.error_code);
        if (a.status == 0 || a.status >= 500) {
            ++phase.result.request_failures;
            if (o_.failures != nullptr) {
                const auto unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
                std::fprintf(o_.failures, "%lld %s %d %s\n", static_cast<long long>(unix_ms),
                             step_name(p.step), a.status,
                             a.error_code.empty() ? "-" : a.error_code.c_str());
            }
        }
        switch (p.step) {
            case Step::Hold: {
                if (a.status == 201) {
                    p.reservation = text_at(parse_body(a.body), {"reservationId"});
                    if (coin_(random_) < o_.release_share) {
                        next(index, Step::Release, now);
                    } else {
                        next(index, Step::Prepare, now);
                    }
                    return;
                }
                if (a.error_code == "SEAT_TAKEN" && p.tries < o_.seat_retries) {
                    ++p.tries;
                    p.ready = now;
                    queue(index);
                    return;
                }
                if (a.error_code == "SOLD_OUT" || a.error_code == "SEAT_TAKEN") {
                    ++phase.result.sold_out;
                } else {
                    ++phase.result.abandoned;
                }
                break;
            }
            case Step::Prepare: {
                if (a.status == 201) {
                    const auto body = parse_body(a.body);
                    p.payment = text_at(body, {"paymentId"});
                    p.order = text_at(body, {"orderId"});
                    p.amount = std::atoll(text_at(body, {"amount", "amount"}).c_str());
                    next(index, Step::Approve, now);
                    return;
                }
                ++phase.result.abandoned;
                break;
            }
            case Step::Approve: {
                if (a.status == 200) {
                    p.key = text_at(parse_body(a.body), {"paymentKey"});
                    next(index, Step::Confirm, now);
                    return;
                }
                ++phase.result.abandoned;
                break;
            }
            case Step::Confirm: {
                if (a.status == 200 || a.status == 202) {
                    const auto status = text_at(parse_body(a.body), {"status"});
                    if (o_.acks != nullptr)
                        std::fprintf(o_.acks, "%s %s %s\n", p.reservation.c_str(),
                                     p.payment.c_str(), status.c_str());
                    if (status == "APPROVED") {
                        ++phase.result.approved;
                        phase.whole.record(
                            std::chrono::duration_cast<std::chrono::microseconds>(now - p.intended),
                            a.status, "");
                        if (coin_(random_) < o_.cancel_share) {
                            next(index, Step::Cancel, now);
                            return;
                        }
                    } else if (status == "UNKNOWN") {
                        ++phase.result.unknown;
                    } else {
                        ++phase.result.failed_payment;
                    }
                    break;
                }
                if (transient(a) && p.tries < o_.confirm_retries) {
                    retry_later(index, now);
                    return;
                }
                ++phase.result.abandoned;
                break;
            }
            case Step::Cancel:
                // A confirm may answer APPROVED while the reservation's own confirmation is still
                // on its way (the saga runs in the webhook's path): the buyer tries again.
                if (a.status == 409 && a.error_code == "INVALID_STATE" && p.tries < 10) {
                    retry_later(index, now);
                    return;
                }
                if (transient(a) && p.tries < o_.confirm_retries) {
                    retry_later(index, now);
                    return;
                }
                if (a.status == 200) ++phase.result.cancelled;
                break;
            case Step::Release:
                if (a.status >= 200 && a.status < 300) ++phase.result.released;
                break;
        }
        finish_purchase(index, now);
    }

    PhaseResult finish(PhaseState& phase) {
        auto& r = phase.result;
        r.seconds = std::chrono::duration<double>(phase.last_answer - phase.start).count();
        auto& confirm = phase.steps[Step::Confirm];
        r.confirm_p50_ms = confirm.status_quantile_ms(200, 0.5);
        r.confirm_p99_ms = confirm.status_quantile_ms(200, 0.99);
        r.hold_p50_ms = phase.steps[Step::Hold].quantile_ms(0.5);
        r.hold_p99_ms = phase.steps[Step::Hold].quantile_ms(0.99);
        r.prepare_p50_ms = phase.steps[Step::Prepare].quantile_ms(0.5);
        r.prepare_p99_ms = phase.steps[Step::Prepare].quantile_ms(0.99);
        r.approve_p50_ms = phase.steps[Step::Approve].quantile_ms(0.5);
        r.approve_p99_ms = phase.steps[Step::Approve].quantile_ms(0.99);
        r.purchase_p50_ms = phase.whole.quantile_ms(0.5);
        r.purchase_p99_ms = phase.whole.quantile_ms(0.99);
        for (const auto& [step, report] : phase.steps) {
            for (const auto& [answer, count] : report.by_answer())
                r.answers.push_back(std::string(step_name(step)) + " " + answer + ": " +
                                    std::to_string(count));
        }
        if (o_.acks != nullptr) std::fflush(o_.acks);
        if (o_.failures != nullptr) std::fflush(o_.failures);
        return r;
    }

    const PurchaseOptions& o_;
    std::mt19937_64 random_;
    std::uniform_real_distribution<double> coin_{0, 1};
    HttpLoadClient admit_;
    HttpLoadClient sim_;
    std::vector<Purchase> purchases_;
    std::vector<PhaseState> phases_;
    std::deque<std::size_t> admit_queue_, sim_queue_;
    std::deque<std::pair<Clock::time_point, std::size_t>> delayed_;  ///< in time order
};

}  // namespace

bool run_purchases(const PurchaseOptions& options, std::vector<PhaseResult>& results,
                   std::string& error) {
    if (options.tokens.empty()) {
        error = "no buyer tokens";
        return false;
    }
    if (options.ga_schedule.empty() && options.seat_ids.empty()) {
        error = "neither a general-admission schedule nor seats to buy";
        return false;
    }
    Driver driver(options);
    if (!driver.connect(error)) return false;
    driver.run(results);
    return true;
}

}  // namespace admit::load

#include "account_provisioning.hpp"

#include <fstream>

#include "http_load_client.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>

namespace admit::load {
namespace {

enum class Step { refresh, signup, login };

struct Job {
    int account;
    Step step;
    int retries = 0;
};

std::string email_of(const ProvisioningOptions& o, int account) {
    return o.email_prefix + std::to_string(account) + "@bench.admit.test";
}

std::string post(const std::string& path, const std::string& body) {
    return "POST " + path +
           " HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string request_for(const ProvisioningOptions& o, const Job& job,
                        const std::string& refresh_token) {
    const std::string email = email_of(o, job.account);
    if (job.step == Step::refresh) {
        return post("/api/v1/auth/refresh", "{\"refreshToken\":\"" + refresh_token + "\"}");
    }
    if (job.step == Step::signup) {
        return post("/api/v1/auth/signup", "{\"email\":\"" + email + "\",\"password\":\"" +
                                               o.password + "\",\"name\":\"Buyer " +
                                               std::to_string(job.account) + "\"}");
    }
    return post("/api/v1/auth/login",
                "{\"email\":\"" + email + "\",\"password\":\"" + o.password + "\"}");
}

/// The string value of "field" in a flat JSON object ("" when absent).
std::string json_string_field(const std::string& body, const std::string& field) {
    const std::string key = "\"" + field + "\":\"";
    const std::size_t at = body.find(key);
    if (at == std::string::npos) return {};
    const std::size_t start = at + key.size();
    const std::size_t end = body.find('"', start);
    return end == std::string::npos ? std::string() : body.substr(start, end - start);
}

}  // namespace

bool provision_accounts(const ProvisioningOptions& o, const std::vector<Session>& saved,
                        ProvisioningResult& result, std::string& error) {
    result = {};
    result.sessions.assign(static_cast<std::size_t>(o.accounts), Session{});
    auto saved_refresh = [&](int account) -> const std::string& {
        static const std::string none;
        const auto i = static_cast<std::size_t>(account);
        return i < saved.size() ? saved[i].refresh_token : none;
    };
    std::deque<Job> ready;
    for (int i = 0; i < o.accounts; ++i)
        ready.push_back({i, saved_refresh(i).empty() ? Step::signup : Step::refresh});
    std::deque<std::pair<Clock::time_point, Job>>
        backing_off;  // transient failures, retried 20..500 ms later
    std::unordered_map<uint64_t, Job> in_flight;
    int finished = 0;
    auto fail = [&](const Job& job, const HttpAnswer& a) {
        ++result.failed;
        ++finished;
        if (result.first_failure.empty()) {
            result.first_failure = std::string(job.step == Step::signup ? "signup " : "login ") +
                                   std::to_string(a.status) + " " + a.error_code;
        }
    };
    HttpLoadClient client(
        o.host, o.port, static_cast<std::size_t>(o.connections),
        [&](uint64_t tag, const HttpAnswer& a) {
            const auto found = in_flight.find(tag);
            if (found == in_flight.end()) return;
            Job job = found->second;
            in_flight.erase(found);
            const bool transient = a.status == 0 || a.status == 429 || a.status == 503;
            if (job.step == Step::refresh && !transient &&
                a.status != 200) {  // expired or revoked: sign in again
                ready.push_back({job.account, Step::login});
                return;
            }
            if (transient) {
                if (++job.retries > o.max_retries) return fail(job, a);
                backing_off.emplace_back(
                    a.received + std::chrono::milliseconds(20 * std::min(job.retries, 25)), job);
                return;
            }
            if (job.step == Step::signup) {
                if (a.status == 201)
                    ++result.created;
                else if (a.status == 409 && a.error_code == "EMAIL_TAKEN")
                    ++result.existed;
                else
                    return fail(job, a);
                ready.push_back({job.account, Step::login});
                return;
            }
            Session session;
            if (a.status == 200)
                session = {json_string_field(a.body, "accessToken"),
                           json_string_field(a.body, "refreshToken")};
            if (session.access_token.empty()) return fail(job, a);
            if (job.step == Step::refresh) ++result.refreshed;
            result.sessions[static_cast<std::size_t>(job.account)] = std::move(session);
            ++finished;
        });
    client.keep_body(true);
    if (!client.connect(error)) return false;
    const auto start = Clock::now();
    uint64_t tag = 0;
    while (finished < o.accounts) {
        const auto now = Clock::now();
        while (!backing_off.empty() && backing_off.front().first <= now) {
            ready.push_back(backing_off.front().second);
            backing_off.pop_front();
        }
        while (!ready.empty() && client.has_idle()) {
            in_flight[++tag] = ready.front();
            client.send(tag, request_for(o, ready.front(), saved_refresh(ready.front().account)));
            ready.pop_front();
        }
        client.poll(std::chrono::milliseconds(5));
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return true;
}

std::vector<Session> read_sessions(const std::string& path) {
    std::vector<Session> sessions;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        const auto space = line.find(' ');
        sessions.push_back(space == std::string::npos
                               ? Session{line, {}}
                               : Session{line.substr(0, space), line.substr(space + 1)});
    }
    return sessions;
}

bool write_sessions(const std::string& path, const std::vector<Session>& sessions) {
    std::ofstream out(path);
    for (const auto& session : sessions)
        out << session.access_token << ' ' << session.refresh_token << '\n';
    out.close();
    return static_cast<bool>(out);
}

}  // namespace admit::load

#include "exchange_log.hpp"

#include <algorithm>
#include <cctype>

namespace admit::toss {

namespace {

bool is_authorization(const std::string& name) {
    return name.size() == 13 &&
           std::equal(name.begin(), name.end(), "authorization", [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

}  // namespace

ExchangeLog::ExchangeLog(std::vector<std::string> secrets) : secrets_(std::move(secrets)) {
    secrets_.erase(std::remove_if(secrets_.begin(), secrets_.end(),
                                  [](const std::string& s) { return s.size() < 4; }),
                   secrets_.end());
    // Longest first, so that a secret containing another is replaced whole.
    std::sort(secrets_.begin(), secrets_.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

std::string ExchangeLog::redact(std::string text) const {
    for (const auto& secret : secrets_) {
        for (auto at = text.find(secret); at != std::string::npos;
             at = text.find(secret, at + 10)) {
            text.replace(at, secret.size(), "[REDACTED]");
        }
    }
    return text;
}

boost::json::object ExchangeLog::record(const sdk::HttpRequest& request,
                                        const std::optional<sdk::HttpResponse>& response,
                                        const std::string& error, uint32_t latency_ms) const {
    boost::json::object headers;
    for (const auto& [name, value] : request.headers) {
        std::string lower = name;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        headers[lower] = is_authorization(name) ? std::string("Basic [REDACTED]") : redact(value);
    }
    boost::json::object out{{"method", request.method},
                            {"url", redact(request.url)},
                            {"requestHeaders", std::move(headers)},
                            {"requestBody", redact(request.body)},
                            {"latencyMs", latency_ms}};
    if (response) {
        out["status"] = response->status;
        out["responseBody"] = redact(response->body);
        out["attempts"] = response->attempts;
    } else {
        out["status"] = nullptr;
        out["responseBody"] = nullptr;
    }
    if (!error.empty()) out["error"] = redact(error);
    return out;
}

}  // namespace admit::toss

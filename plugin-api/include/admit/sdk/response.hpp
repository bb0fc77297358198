// The response a route handler returns, as a plain value; the SDK hands it to the host afterwards.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace admit::sdk {

class Response {
  public:
    /// An API error: the host writes the standard body {"code","message","traceId"}.
    struct ApiError {
        std::string code;
        std::string message;
    };

    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// A body shared with a cache (e.g. a rendered seat map): when set it is sent instead of
    /// `body` without being copied; the host holds a reference until the bytes are written
    /// (a host without response_body_borrowed copies it once).
    std::shared_ptr<const std::string> shared_body;
    std::string content_type;           ///< empty: application/json; charset=utf-8
    std::optional<ApiError> api_error;  ///< set: the host writes the standard error body
    /// For 5xx answers built by from_error: the real message, which the SDK logs (never sent).
    std::string log_detail;
    /// Set by later(): the answer comes through the LaterResponse of Request::defer().
    bool answered_later = false;

    /// What a handler returns after Request::defer() gave it a LaterResponse.
    static Response later() {
        Response response;
        response.answered_later = true;
        return response;
    }

    static Response json(int status, const boost::json::value& value) {
        Response response;
        response.status = status;
        response.body = boost::json::serialize(value);
        return response;
    }

    static Response text(int status, std::string body,
                         std::string content_type = "text/plain; charset=utf-8") {
        Response response;
        response.status = status;
        response.body = std::move(body);
        response.content_type = std::move(content_type);
        return response;
    }

    static Response no_content() {
        Response response;
        response.status = 204;
        return response;
    }

    /// e.g. Response::error(409, "SEAT_TAKEN", "seat A-12 is already held")
    static Response error(int status, std::string code, std::string message) {
        Response response;
        response.status = status;
        response.api_error = ApiError{std::move(code), std::move(message)};
        return response;
    }

    /// 400 INVALID_REQUEST naming what was wrong.
    static Response invalid_request(std::string message) {
        return error(400, "INVALID_REQUEST", std::move(message));
    }

    /// The client-facing answer for an SDK Error that a handler chose to show: INVALID_ARGUMENT
    /// 400 INVALID_REQUEST, NOT_FOUND 404, CONFLICT/CONSTRAINT 409 CONFLICT, REJECTED 422,
    /// UNAVAILABLE 503, TIMEOUT 504. Anything else is 500 INTERNAL with a generic message (the real
    /// one belongs in the log, not in the body).
    static Response from_error(const Error& e) {
        switch (e.status) {
            case ADMIT_E_INVALID_ARGUMENT:
                return error(400, "INVALID_REQUEST", e.message);
            case ADMIT_E_NOT_FOUND:
                return error(404, "NOT_FOUND", e.message);
            case ADMIT_E_CONFLICT:
            case ADMIT_E_CONSTRAINT:
                return error(409, "CONFLICT", e.message);
            case ADMIT_E_REJECTED:
                return error(422, "REJECTED", e.message);
            case ADMIT_E_UNAVAILABLE:
                return hidden(error(503, "DEPENDENCY_UNAVAILABLE",
                                    "a dependency is unavailable; retry shortly")
                                  .header("Retry-After", "1"),
                              e);
            case ADMIT_E_TIMEOUT:
                return hidden(error(503, "DEPENDENCY_UNAVAILABLE",
                                    "a dependency did not answer in time; retry shortly")
                                  .header("Retry-After", "1"),
                              e);
            default:
                return hidden(error(500, "INTERNAL", "internal error"), e);
        }
    }

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }

    /// Hands this response to the host through the response_* functions.
    void send(const admit_host_api* api, admit_response* target) const noexcept {
        if (api_error) {
            for (const auto& [name, value] : headers) {
                api->response_header(target, to_abi(name), to_abi(value));
            }
            api->response_error(target, status, to_abi(api_error->code),
                                to_abi(api_error->message));
            return;
        }
        api->response_status(target, status);
        for (const auto& [name, value] : headers) {
            api->response_header(target, to_abi(name), to_abi(value));
        }
        if (shared_body && ADMIT_HOST_OFFERS(api, response_body_borrowed)) {
            // The host releases this reference once the bytes are written.
            if (auto* reference =
                    new (std::nothrow) std::shared_ptr<const std::string>(shared_body)) {
                api->response_body_borrowed(target, to_abi(**reference), to_abi(content_type),
                                            &release_shared, reference);
                return;
            }
        }
        const std::string& payload = shared_body ? *shared_body : body;
        if (!payload.empty() || status != 204) {
            api->response_body(target, to_abi(payload), to_abi(content_type));
        }
    }

  private:
    static void release_shared(void* reference) noexcept {
        delete static_cast<std::shared_ptr<const std::string>*>(reference);
    }

    static Response hidden(Response response, const Error& e) {
        response.log_detail = std::string(status_name(e.status)) + ": " + e.message;
        return response;
    }
};

}  // namespace admit::sdk

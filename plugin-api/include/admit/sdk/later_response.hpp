// LaterResponse: a route's answer given later, from any thread (ABI 1.6). A handler that would
// wait (for a batch to commit, say) calls Request::defer(), hands the LaterResponse to whatever
// will know the answer, and returns Response::later(); its worker thread is free at once.
// Ownership: move-only; it owns the host's admit_deferred until send() or its destruction.
// Promises: the request is answered exactly once. send() answers; a second send() is ignored; one
// destroyed without send() answers 500 INTERNAL, so no request waits on an answer that was
// dropped. Thread-safety: one thread at a time per object (any thread).
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/response.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace admit::sdk {

class LaterResponse {
  public:
    /// Made by Request::defer(); `label` names the route in log lines.
    LaterResponse(HostHandle handle, admit_deferred* deferred, std::string label) noexcept
        : handle_(handle), deferred_(deferred), label_(std::move(label)) {}
    LaterResponse(LaterResponse&& other) noexcept
        : handle_(other.handle_),
          deferred_(std::exchange(other.deferred_, nullptr)),
          label_(std::move(other.label_)) {}
    LaterResponse& operator=(LaterResponse&& other) noexcept {
        if (this != &other) {
            abandon();
            handle_ = other.handle_;
            deferred_ = std::exchange(other.deferred_, nullptr);
            label_ = std::move(other.label_);
        }
        return *this;
    }
    LaterResponse(const LaterResponse&) = delete;
    LaterResponse& operator=(const LaterResponse&) = delete;
    ~LaterResponse() { abandon(); }

    /// Answers the request (the host sends it, or drops it when it already answered 503 after
    /// its timeout). A 5xx built by Response::from_error has its detail logged, as a handler's.
    void send(const Response& response) noexcept {
        if (deferred_ == nullptr) return;
        if (!response.log_detail.empty())
            log("answered " + std::to_string(response.status) + ": " + response.log_detail);
        response.send(handle_.api, handle_.api->deferred_response(deferred_));
        handle_.api->deferred_finish(std::exchange(deferred_, nullptr));
    }
    bool sent() const noexcept { return deferred_ == nullptr; }

  private:
    void abandon() noexcept {
        if (deferred_ == nullptr) return;
        log("dropped its deferred answer unsent: 500");
        handle_.api->deferred_finish(std::exchange(deferred_, nullptr));  // unwritten: 500
    }
    void log(std::string_view what) const noexcept { detail::log_failure(handle_, label_, what); }

    HostHandle handle_;
    admit_deferred* deferred_;
    std::string label_;
};

}  // namespace admit::sdk

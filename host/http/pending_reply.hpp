// PendingReply: a response a handler gives later, from any thread (a plugin's deferred response,
// ABI 1.6). The handler returns a Response whose `pending` is set and its worker is free at once;
// the server sends whatever finish() receives, or a 503 when nothing came within the request
// timeout.
//
// Traps it avoids: the finish may come first (on another thread, even before the handler has
// returned), so the order of finish() and on_ready() does not matter; a reply is given once (the
// first finish wins, a late one, e.g. after the timeout, is dropped); and a connection that is gone
// (closed, server stopped) calls cancel(), after which no delivery runs, so nothing is posted to an
// I/O context that no longer exists.
//
// Thread-safety: every member is thread-safe. Steps and the delivery run on the thread of whichever
// of finish() and on_ready() comes second, never concurrently with cancel() returning.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "host/http/response.hpp"

namespace admit::http {

class PendingReply {
  public:
    using Step = std::function<void(Response&)>;
    using Deliver = std::function<void(Response)>;

    // Work applied to the response before delivery (the dispatcher's after-steps: guards, headers),
    // in the order added. Only before on_ready(). A step that throws turns the response into a 500.
    void add_step(Step step);
    // Gives the response. False when one was already given or the reply was cancelled (this one
    // is dropped).
    bool finish(Response response);
    // Where the response goes; call once. Runs `deliver` now when finish() came first.
    void on_ready(Deliver deliver);
    // The receiver is gone: no delivery runs after this returns. Idempotent.
    void cancel();
    bool finished() const;

  private:
    void deliver_locked();  // mutex_ held; given_ and deliver_ set

    mutable std::mutex mutex_;
    std::vector<Step> steps_;
    std::optional<Response> response_;
    Deliver deliver_;
    bool given_ = false;
    bool delivered_ = false;
    bool cancelled_ = false;
};

}  // namespace admit::http

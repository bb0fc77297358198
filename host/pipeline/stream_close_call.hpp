// StreamCloseCall: what the host keeps of an accepted stream open so that it can tell the plugin
// when that stream ends (ABI 1.3, admit_stream_desc.on_close).
#pragma once

#include <memory>

#include "host/http/request.hpp"
#include "host/pipeline/route_table.hpp"

namespace admit::runtime {

// Returns the token to put into http::Response::stream_end for a stream that `route`'s on_open
// accepted (or that has no on_open), or null when the route has no on_close. The token owns
// copies of the request's view (method, path, query, path parameters, trace id, client address)
// and of the caller, and keeps the plugin's library mapped; releasing its last reference calls
// on_close once with that view, on the releasing thread. Never throws out of the release: a
// failure to build the view is logged and on_close is not called.
std::shared_ptr<void> make_stream_close_call(const RouteEntry& route, const Caller& caller,
                                             const http::Request& request);

}  // namespace admit::runtime

// PlaceService: a user's place in a schedule's line: join, status (the heartbeat), leave, the
// SSE snapshot, the fairness record, and queue.check_entry for the reservation plugin.
// A place belongs to the account (principal subject), never to a connection: any device of the
// same account sees the same place, and joining twice keeps the one place. Thread-safe.
#pragma once

#include "line_keeper.hpp"
#include "queue_context.hpp"

#include <admit/sdk.hpp>

namespace admit::queue {

class PlaceService {
  public:
    PlaceService(QueueContext& context, LineKeeper& keeper) : ctx_(context), keeper_(keeper) {}

    sdk::Response join(const sdk::Request& request);
    sdk::Response status(const sdk::Request& request);
    sdk::Response leave(const sdk::Request& request);
    sdk::Response fairness(const sdk::Request& request);
    /// The snapshot event of GET .../queue/stream (the caller's place, as status answers it).
    sdk::Result<std::optional<boost::json::value>> open_stream(const sdk::Request& request);

    /// queue.check_entry {token, scheduleId, userId} -> {required, valid, reason?}: local only
    /// (signature, expiry, binding, in-process deny list), no network round trip.
    sdk::Result<boost::json::value> check_entry(const boost::json::value& input);

  private:
    struct Answer {
        int status = 200;
        boost::json::object body;
        sdk::Response error;  ///< used when status == 0
    };
    /// The caller's place in the path's schedule (the principal's subject is the user).
    Answer place(const sdk::Request& request, PlaceMode mode);
    /// The body of a Place for `user`.
    boost::json::object body_of(const std::string& schedule_id, const std::string& user,
                                const Place& place, const Control& control);
    /// Re-adds a user the durable log says is waiting or admitted but Redis does not have
    /// (a join whose log write raced a rebuild). nullopt: the log has no live place either.
    sdk::Result<std::optional<Place>> repair(const std::string& schedule_id,
                                             const std::string& user);

    QueueContext& ctx_;
    LineKeeper& keeper_;
};

/// A 503 with the standard error body and a Retry-After header. (Built as a JSON body rather than
/// Response::error because admitd's response_error drops headers set before it.)
sdk::Response retry_later(std::string code, std::string message, std::string_view trace_id,
                          int seconds);
/// 503 QUEUE_RECOVERING, Retry-After 2: the line is being rebuilt from the durable log.
sdk::Response recovering_response(std::string_view trace_id);

}  // namespace admit::queue

// AdminControls: the operators' view and controls of a schedule's waiting room
// (GET /api/v1/admin/schedules/{scheduleId}/queue, POST .../pause, .../resume, .../clear,
// .../rate). Every control is an audited event (actor = the operator). Thread-safe.
#pragma once

#include "admission_tick.hpp"
#include "line_keeper.hpp"
#include "queue_context.hpp"

#include <admit/sdk.hpp>

namespace admit::queue {

class AdminControls {
  public:
    AdminControls(QueueContext& context, LineKeeper& keeper, AdmissionTick& tick)
        : ctx_(context), keeper_(keeper), tick_(tick) {}

    sdk::Response overview(const sdk::Request& request);
    sdk::Response pause(const sdk::Request& request) { return set_paused(request, true); }
    sdk::Response resume(const sdk::Request& request) { return set_paused(request, false); }
    sdk::Response clear(const sdk::Request& request);
    /// Body {"admitPerSecond": <integer 0..100000> | null (back to the policy's)}.
    sdk::Response rate(const sdk::Request& request);

  private:
    sdk::Response set_paused(const sdk::Request& request, bool paused);
    /// The control row of the path's schedule, or the error response.
    std::variant<Control, sdk::Response> control_of(const sdk::Request& request);

    QueueContext& ctx_;
    LineKeeper& keeper_;
    AdmissionTick& tick_;
};

}  // namespace admit::queue

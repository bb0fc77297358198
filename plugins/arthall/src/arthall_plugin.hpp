// The arthall plugin: halls, stages generated from layouts, and seats. See ../README.md.
//
// Thread-safety: handlers run concurrently; the plugin holds no mutable state after init.
#pragma once

#include <admit/sdk.hpp>

#include <string>

namespace admit::arthall {

using admit::sdk::Host;
using admit::sdk::Principal;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Result;
using admit::sdk::Status;

class ArthallPlugin final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override;

  private:
    // halls (hall_routes.cpp)
    Response create_hall(const Request& request);
    Response list_halls(const Request& request);
    Response get_hall(const Request& request);
    Response update_hall(const Request& request);
    Response delete_hall(const Request& request);
    // stages and seats (stage_routes.cpp)
    Response create_stage(const Request& request);
    Response list_stages(const Request& request);
    Response get_stage(const Request& request);
    Response update_stage(const Request& request);
    Response delete_stage(const Request& request);
    Response stage_seats(const Request& request);
    Response update_seat(const Request& request);
    // services (arthall_plugin.cpp)
    Result<boost::json::value> stage_service(const boost::json::value& input);
    Result<boost::json::value> stage_seats_service(const boost::json::value& input);

    /// 409 STAGE_IN_USE / 503 when product says so or cannot answer; nullopt when free.
    std::optional<Response> refuse_if_in_use(const std::string& stage_id);
    /// The hall's owner when it exists (not deleted); 404 Response otherwise.
    Result<std::string> hall_owner(const std::string& hall_id);

    Host* host_ = nullptr;
    int64_t max_seats_ = 20000;
    int64_t max_halls_per_seller_ = 20;  ///< live halls one non-admin owner may have
    int64_t max_stages_per_hall_ = 20;   ///< live stages of one hall (admins' halls too)
};

/// True when `caller` is an admin or the owner `owner_id`.
inline bool may_manage(const Principal& caller, std::string_view owner_id) {
    return caller.has_role("admin") || (caller.authenticated() && caller.subject() == owner_id);
}

/// 422 LIMIT_EXCEEDED for a bound refused inside a create's transaction (Error::rejected, the
/// only rejection those transactions make); any other error as the SDK maps it.
inline Response refusal_or_error(const admit::sdk::Error& error) {
    if (error.is_rejected()) return Response::error(422, "LIMIT_EXCEEDED", error.message);
    return Response::from_error(error);
}

using admit::sdk::page_limit;  // ?limit (default 50, 1..200)

/// SQL expression rendering a timestamptz column as RFC 3339 UTC.
inline std::string rfc3339_sql(std::string_view column) {
    return "to_char(" + std::string(column) +
           " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
}

}  // namespace admit::arthall

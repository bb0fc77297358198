// How the authorization matrix (authorization_matrix_test.cpp) fills each operation of
// /openapi.json: the body it sends, the objects its path and body name, and whose objects a
// caller may use. Roles are not listed here: they come from the document (x-roles). An operation
// the document has and this table lacks fails the matrix with its name (never skipped silently).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace admit::testing::matrix {

/// How the owner of the named objects decides, for a caller whose role the route lists.
enum class Scope {
    none,   // names no object (or only ones everyone with the role may use): the role decides
    open,   // names objects anyone with the role may use (a public catalog, a waiting room)
    owned,  // a caller reaches only their own object (or any, with a role in `sees_all`)
};

struct OperationSpec {
    Scope scope = Scope::none;
    /// JSON body template; "" sends none. Placeholders `{kind}` name objects of the owner under
    /// test (see kinds below); `{email}`, `{freeSeat}`, `{refreshToken}` are made per call.
    std::string body;
    /// Query string template (with the '?'), same placeholders.
    std::string query;
    /// Path parameter -> object kind, where the default by name (hallId -> hall, ...) is wrong.
    std::map<std::string, std::string> params;
    /// Roles that reach anyone's object of an owned operation; empty: only the owner (an action
    /// that is the owner's own: paying, the printed code, one's message stream).
    std::set<std::string> sees_all{"admin"};
    /// Allowed calls use a new session of the caller (logout revokes the session it is made with).
    bool own_session = false;
    /// Runs after every other operation (it may change what the others rely on).
    bool last = false;
    /// A public catalog route is also called on each owner's unpublished object of this kind (a
    /// DRAFT product, its schedule) in place of the published one: only its seller and admins
    /// may see it, everyone else (anonymous included) gets 403 or 404.
    std::string unpublished;
};

/// Object kinds and the principal who owns one of owner X (A or B): catalog objects belong to
/// seller X, purchases to customer X. Kinds without an owner (webhook, user, policy, ...) are
/// shared: only roles decide.
inline const std::set<std::string> kSellerKinds{"hall",          "stage",         "seat",
                                                "product",       "schedule",      "queued_schedule",
                                                "draft_product", "draft_schedule"};
inline const std::set<std::string> kCustomerKinds{"reservation", "payment", "ticket",
                                                  "notification", "self"};

/// Path parameters whose name says their kind.
inline const std::map<std::string, std::string> kParamKinds{
    {"hallId", "hall"},       {"stageId", "stage"},       {"seatId", "seat"},
    {"productId", "product"}, {"scheduleId", "schedule"}, {"reservationId", "reservation"},
    {"paymentId", "payment"}, {"ticketId", "ticket"},     {"provider", "provider"},
    {"name", "policy"},       {"revision", "revision"}};

inline const std::string kProduct =
    R"({"title":"Matrix Night","category":"CONCERT","stageId":"{stage}",)"
    R"("saleStartsAt":"{saleStart}","saleEndsAt":"{saleEnd}",)"
    R"("grades":[{"name":"R","price":{"amount":50000,"currency":"KRW"}}],)"
    R"("schedules":[{"startsAt":"{showTime}"}]})";
inline const std::string kLayout =
    R"({"sections":[{"name":"A","rows":1,"seatsPerRow":2,"grade":"R"}]})";

/// Every operation of the platform, by operationId.
inline std::map<std::string, OperationSpec> operation_specs() {
    using S = Scope;
    const std::set<std::string> owner_only{};
    const std::set<std::string> admin_or_staff{"admin", "staff"};
    std::map<std::string, OperationSpec> specs{
        // host
        {"getHealth", {}},
        {"getReadiness", {}},
        {"getMetrics", {}},
        {"getOpenApi", {}},
        {"getApiReference", {}},
        {"listPlugins", {}},
        {"advanceClock", {.body = R"({"advanceSeconds":0})"}},
        {"listPolicies", {}},
        {"getPolicy", {}},
        {"publishPolicy", {.body = R"({"source":{policySource},"comment":"matrix"})"}},
        {"listPolicyRevisions", {}},
        {"getPolicyRevision", {}},
        {"rollBackPolicy", {.body = R"({"revision":"{revision}"})"}},
        {"approvePolicyRevision", {}},  // kAllowedOutcomeExempt
        {"rejectPolicyRevision", {}},   // kAllowedOutcomeExempt
        {"shadowPolicy", {.body = R"({"source":{policySource},"limit":10})"}},
        {"evaluatePolicy", {.body = R"({"input":{"scheduleId":"sch_x","owned":0,"requested":1}})"}},
        // auth
        {"signUp", {.body = R"({"email":"{email}","password":"long-enough-pw","name":"M"})"}},
        {"logIn", {.body = R"({"email":"{userEmail}","password":"long-enough-pw"})"}},
        {"refreshToken", {.body = R"({"refreshToken":"{refreshToken}"})"}},
        {"logOut", {.own_session = true}},
        {"getMe", {}},
        {"getJwks", {}},
        {"changeUser", {.body = R"({"tier":"SILVER"})", .params = {{"id", "user"}}}},
        {"rotateSigningKey", {.last = true}},
        // A seller waiting for review (the same for both owners: the second decision of a kind
        // is 409 INVALID_STATE).
        {"listSellers", {}},
        {"approveSeller", {.params = {{"id", "pending_seller"}}}},
        {"rejectSeller", {.params = {{"id", "pending_seller"}}}},
        // Enrolment alone does not turn TOTP on; a made-up code is refused (422), so no account
        // of the matrix needs a second factor afterwards (tests/plugins/auth cover the factor).
        {"enrolTotp", {}},
        {"confirmTotp", {.body = R"({"code":"000000"})"}},
        // arthall
        {"createHall", {.body = R"({"name":"Matrix Hall"})"}},
        {"listHalls", {}},
        {"getHall", {.scope = S::open}},
        {"updateHall", {.scope = S::owned, .body = R"({"name":"Renamed"})"}},
        {"deleteHall", {.scope = S::owned}},
        {"createStage", {.scope = S::owned, .body = R"({"name":"Side","layout":)" + kLayout + "}"}},
        {"listStages", {.scope = S::open}},
        {"getStage", {.scope = S::open}},
        {"updateStage", {.scope = S::owned, .body = R"({"name":"Renamed"})"}},
        {"deleteStage", {.scope = S::owned}},
        {"getStageSeats", {.scope = S::open}},
        {"updateSeat", {.scope = S::owned, .body = R"({"status":"ACTIVE"})"}},
        // product
        {"createProduct", {.scope = S::owned, .body = kProduct}},
        {"listProducts", {}},
        {"getProduct", {.scope = S::open, .unpublished = "draft_product"}},
        {"updateProduct", {.scope = S::owned, .body = R"({"title":"Renamed"})"}},
        {"submitProduct", {.scope = S::owned}},
        {"approveProduct", {.scope = S::owned}},
        {"rejectProduct", {.scope = S::owned, .body = R"({"reason":"matrix"})"}},
        {"cancelProduct", {.scope = S::owned, .body = R"({"reason":"matrix"})"}},
        {"addSchedule", {.scope = S::owned, .body = R"({"startsAt":"{showTime}"})"}},
        {"getSeatMap", {.scope = S::open, .unpublished = "draft_schedule"}},
        {"streamSeats", {.scope = S::open, .unpublished = "draft_schedule"}},
        // queue (a waiting room is anyone's to join; its controls are the admin's)
        {"joinQueue",
         {.scope = S::open,
          .params = {{"scheduleId", "queued_schedule"}},
          .unpublished = "draft_schedule"}},
        {"getQueuePosition", {.scope = S::open, .params = {{"scheduleId", "queued_schedule"}}}},
        {"leaveQueue", {.scope = S::open, .params = {{"scheduleId", "queued_schedule"}}}},
        {"streamQueue", {.scope = S::open, .params = {{"scheduleId", "queued_schedule"}}}},
        {"getQueueFairness", {.scope = S::open, .params = {{"scheduleId", "queued_schedule"}}}},
        {"getQueueOverview", {.scope = S::open, .params = {{"scheduleId", "queued_schedule"}}}},
        {"pauseQueue", {.scope = S::open, .params = {{"scheduleId", "queued_schedule"}}}},
        {"resumeQueue", {.scope = S::open, .params = {{"scheduleId", "queued_schedule"}}}},
        {"clearQueue", {.scope = S::open, .params = {{"scheduleId", "queued_schedule"}}}},
        {"setQueueRate",
         {.scope = S::open,
          .body = R"({"admitPerSecond":null})",
          .params = {{"scheduleId", "queued_schedule"}}}},
        // reservation (a schedule on sale is anyone's to hold seats of)
        {"createReservation",
         {.scope = S::open,
          .body = R"({"scheduleId":"{schedule}","seatIds":["{freeSeat}"]})",
          .unpublished = "draft_schedule"}},
        {"listReservations", {}},
        {"getReservation", {.scope = S::owned}},
        {"releaseReservation", {.scope = S::owned}},
        {"quoteReservationRefund", {.scope = S::owned}},
        {"cancelReservation", {.scope = S::owned}},
        // payment
        {"preparePayment",
         {.scope = S::owned,
          .body = R"({"reservationId":"{reservation}","method":"CARD"})",
          .sees_all = owner_only}},
        {"confirmPayment",
         {.scope = S::owned,
          .body = R"({"paymentId":"{payment}","paymentKey":"matrix-key"})",
          .sees_all = admin_or_staff}},
        {"receivePaymentWebhook", {.body = R"({"eventType":"PAYMENT_STATUS_CHANGED"})"}},
        {"getPayment", {.scope = S::owned, .sees_all = admin_or_staff}},
        {"listPayments", {}},
        {"cancelPayment",
         {.scope = S::owned,
          .body = R"({"amount":1,"reason":"matrix"})",
          .sees_all = admin_or_staff}},
        {"listAllPayments", {}},
        {"reconcilePayments", {}},
        // ticket
        {"listTickets", {}},
        {"getTicket", {.scope = S::owned}},
        {"getTicketQrSvg", {.scope = S::owned, .sees_all = owner_only}},
        {"getTicketQrPng", {.scope = S::owned, .sees_all = owner_only}},
        {"reissueTicket", {.scope = S::owned, .sees_all = owner_only}},
        {"checkIn", {.body = R"({"code":"not-a-ticket-code"})"}},
        {"checkOut", {.body = R"({"code":"not-a-ticket-code"})"}},
        {"checkInBatch",
         {.body = R"({"scans":[{"nonce":"{email}","code":"not-a-ticket-code",)"
                  R"("at":"{saleStart}","admitted":false}]})"}},
        {"getGateKit", {.scope = S::open}},
        {"listScheduleTickets", {.scope = S::owned}},
        {"assignScheduleStaff", {.params = {{"userId", "user"}}}},
        {"unassignScheduleStaff", {.params = {{"userId", "user"}}}},
        {"listScheduleStaff", {}},
        {"listCheckinConflicts", {}},
        // notification
        {"listNotifications", {}},
        {"markNotificationRead",
         {.scope = S::owned, .params = {{"id", "notification"}}, .sees_all = owner_only}},
        {"getNotificationPreferences", {}},
        {"setNotificationPreferences", {.body = R"({"emailNonEssential":true})"}},
        {"streamNotifications",
         {.scope = S::owned, .params = {{"userId", "self"}}, .sees_all = owner_only}},
        {"listDeadNotifications", {}},
        {"retryNotification", {.params = {{"id", "notification"}}}},
        {"createWebhook",
         {.body = R"({"url":"http://127.0.0.1:9/matrix","eventTypes":["ticket.issued"],)"
                  R"("secret":"matrix-secret-0123456789"})"}},
        {"listWebhooks", {}},
        {"getWebhook", {.params = {{"id", "webhook"}}}},
        {"deleteWebhook", {.params = {{"id", "webhook"}}}},
        {"enableWebhook", {.params = {{"id", "webhook"}}}},
        {"listWebhookDeliveries", {.params = {{"id", "webhook"}}}},
        // log
        {"listAuditEntries", {}},
        {"verifyAuditChain", {}},
        {"exportAuditEntries", {.query = "?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z"}},
    };
    return specs;
}

/// Operations whose allowed callers are not checked for "not refused", with the reason; their
/// anonymous and wrong-role refusals are still checked.
inline const std::map<std::string, std::string> kAllowedOutcomeExempt{
    {"approvePolicyRevision",
     "only a revision waiting for a second person's approval can be approved, and this venue "
     "publishes at once (no require_approval): 404 for everyone (tests/runtime cover approvals)"},
    {"rejectPolicyRevision", "as approvePolicyRevision"},
    {"getGateKit",
     "staff reach a schedule's gate kit only when an admin assigned them to it (ticket "
     "staff_scope \"assigned\", the default), and the matrix assigns nobody: 403 for its staff "
     "by design (tests/plugins/ticket cover assigned, unassigned and admin callers)"},
    {"receivePaymentWebhook",
     "public, but authenticated by the provider's HMAC signature instead of a principal: every "
     "caller without a valid signature is 401 by design (tests/plugins/payment covers it)"},
};

}  // namespace admit::testing::matrix

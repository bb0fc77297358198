#include "hold_service.hpp"

#include <admit/sdk/time_text.hpp>

#include <algorithm>
#include <cctype>
#include <thread>
#include <unordered_set>

namespace admit::reservation {

using sdk::Response;

namespace {

Response unavailable(std::string message) {
    return Response::error(503, "DEPENDENCY_UNAVAILABLE", std::move(message))
        .header("Retry-After", "1");
}

int64_t integer_field(const boost::json::value& decision, std::string_view key, int64_t fallback) {
    if (!decision.is_object()) return fallback;
    const auto* value = decision.as_object().if_contains(key);
    if (value == nullptr) return fallback;
    if (value->is_int64()) return value->as_int64();
    if (value->is_uint64()) return static_cast<int64_t>(value->as_uint64());
    if (value->is_double()) return static_cast<int64_t>(value->as_double());
    return fallback;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

}  // namespace

ReservationRow row_of(const HoldRecord& record) {
    ReservationRow row;
    row.id = record.id;
    row.user_id = record.user_id;
    row.schedule_id = record.schedule_id;
    row.product_id = record.product_id;
    row.general_admission = record.general_admission;
    row.grade_id = record.grade_id;
    row.quantity = record.quantity;
    row.claim_ids = record.claim_ids;
    row.items = record.items;
    row.status = "PENDING_PAYMENT";
    row.fencing_token = record.fencing_token;
    row.idempotency_key = record.idempotency_key;
    row.expires_us = record.expires_us;
    row.starts_us = record.starts_us;
    row.subtotal = record.subtotal;
    row.fees = record.fees;
    row.total = record.total;
    row.currency = record.currency;
    row.policy_revisions = record.policy_revisions;
    row.created_us = record.created_us;
    return row;
}

sdk::Status HoldService::ensure_epoch() {
    auto current = redis_.epoch();
    if (!current) return std::move(current).error();
    if (*current) return {};
    auto bumped = store_.bump_epoch();
    if (!bumped) return std::move(bumped).error();
    host_.info("redis has no reservation state: fencing epoch is now ", *bumped);
    return redis_.offer_epoch(*bumped);
}

sdk::Status HoldService::rebuild(const SaleContext& context) {
    std::unique_lock lock(rebuild_mutex_, std::defer_lock);
    if (!lock.try_lock_for(std::chrono::seconds(3)))
        return sdk::Error::unavailable("a rebuild is running");
    auto ready = redis_.ready(context.schedule_id);
    if (!ready) return std::move(ready).error();
    if (*ready) return {};  // another request of this host rebuilt it meanwhile
    auto locked = redis_.lock_rebuild(context.schedule_id);
    if (!locked) return std::move(locked).error();
    if (!*locked)
        return sdk::Error::unavailable("another host is rebuilding schedule " +
                                       context.schedule_id);
    struct Unlock {
        RedisHolds& redis;
        const std::string& schedule;
        ~Unlock() { redis.unlock_rebuild(schedule); }
    } unlock{redis_, context.schedule_id};

    auto claims = store_.live_claims(context.schedule_id);
    if (!claims) return std::move(claims).error();
    auto owned = store_.owned_per_user(context.schedule_id);
    if (!owned) return std::move(owned).error();

    const int64_t now = host_.now_us();
    boost::json::array seats, lists, users;
    std::unordered_set<std::string> taken_units;
    for (const auto& claim : *claims) {
        if (context.general_admission) {
            taken_units.insert(claim.claim_id);
            continue;
        }
        const int64_t ttl_ms = claim.sold ? 0
                                          : std::max<int64_t>(claim.expires_us - now, 1000) / 1000 +
                                                settings_.redis_ttl_grace.count();
        seats.push_back(boost::json::array{RedisKeys::seat(context.schedule_id, claim.claim_id),
                                           claim.reservation_id, ttl_ms});
    }
    if (context.general_admission) {
        for (const auto& [grade_id, grade] : context.grades) {
            boost::json::array units;
            for (int64_t n = 1; n <= grade.total; ++n) {
                std::string unit = grade_id + "#" + std::to_string(n);
                if (!taken_units.count(unit)) units.emplace_back(std::move(unit));
            }
            lists.push_back(boost::json::array{RedisKeys::free_units(context.schedule_id, grade_id),
                                               std::move(units)});
        }
    }
    for (const auto& [user, count] : *owned)
        users.push_back(boost::json::array{RedisKeys::user(context.schedule_id, user), count});
    host_.info("rebuilding redis state of schedule ", context.schedule_id, " from ", claims->size(),
               " live claims");
    return redis_.load_schedule(
        context.schedule_id,
        {{"seats", std::move(seats)}, {"lists", std::move(lists)}, {"users", std::move(users)}});
}

sdk::Status HoldService::prime(const std::string& schedule_id) {
    auto context = contexts_.get(schedule_id);
    if (!context)
        return (!context.ok() && context.error().is_not_found()) ? sdk::Status{}
                                                                 : sdk::Status(context.error());
    if (auto epoch = ensure_epoch(); !epoch) return epoch;
    auto ready = redis_.ready(schedule_id);
    if (!ready) return std::move(ready).error();
    if (*ready) return {};
    return rebuild(**context);
}

HoldService::PolicyFacts HoldService::policy_facts(const SaleContext& context) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(policy_mutex_);
        auto found = policy_facts_.find(context.schedule_id);
        if (found != policy_facts_.end() && now - found->second.fetched < std::chrono::seconds(1))
            return found->second;
    }
    PolicyFacts facts;
    facts.fetched = now;
    const std::string category = lower(context.category);
    if (auto expiry = host_.policy("expiry", {{"category", category}}); expiry) {
        facts.hold_seconds =
            std::max<int64_t>(1, integer_field(expiry->decision, "holdSeconds", 300));
        facts.revisions["expiry"] = expiry->revision;
    } else {
        host_.warn("expiry policy unavailable, holding 300 s: ", expiry.error().message);
    }
    // maxPerUser depends on the schedule and category only; the script applies it atomically.
    boost::json::object limit_input{{"scheduleId", context.schedule_id},
                                    {"category", category},
                                    {"owned", 0},
                                    {"requested", 1}};
    if (auto limits = host_.policy("limits", limit_input); limits) {
        facts.max_per_user = integer_field(limits->decision, "maxPerUser", 4);
        facts.max_holds_in_window = integer_field(limits->decision, "maxHoldsPerWindow", 0);
        facts.hold_window_seconds = integer_field(limits->decision, "holdWindowSeconds", 0);
        if (facts.max_holds_in_window < 0 || facts.hold_window_seconds <= 0)
            facts.max_holds_in_window = 0;  // no window, no bound (the schema refuses such output)
        facts.revisions["limits"] = limits->revision;
    } else {
        host_.warn("limits policy unavailable, allowing 4 per user: ", limits.error().message);
    }
    std::lock_guard lock(policy_mutex_);
    policy_facts_[context.schedule_id] = facts;
    return facts;
}

sdk::Result<HoldService::Pricing> HoldService::price(const HoldRequest& hold,
                                                     const SaleContext& context) {
    Pricing pricing;
    if (context.general_admission) {
        const auto& grade = context.grades.at(hold.grade_id);
        pricing.currency = grade.currency;
        pricing.subtotal = grade.price * hold.quantity;
        pricing.items.push_back({{"gradeId", hold.grade_id},
                                 {"grade", grade.name},
                                 {"quantity", hold.quantity},
                                 {"price", money(grade.price, grade.currency)}});
    } else {
        for (const auto& seat_id : hold.seat_ids) {
            const auto& seat = context.seats.at(seat_id);
            const auto grade = context.grades.find(seat.grade_id);
            const int64_t amount = grade == context.grades.end() ? 0 : grade->second.price;
            if (grade != context.grades.end()) pricing.currency = grade->second.currency;
            pricing.subtotal += amount;
            pricing.items.push_back({{"seatId", seat_id},
                                     {"gradeId", seat.grade_id},
                                     {"label", seat.label},
                                     {"price", money(amount, pricing.currency)}});
        }
    }
    const auto facts = policy_facts(context);
    pricing.hold_seconds = facts.hold_seconds;
    pricing.max_per_user = facts.max_per_user;
    pricing.max_holds_in_window = facts.max_holds_in_window;
    pricing.hold_window_seconds = facts.hold_window_seconds;
    pricing.revisions = facts.revisions;
    return pricing;
}

sdk::Status HoldService::add_fees(Pricing& pricing, int64_t quantity, std::string_view tier) {
    boost::json::object fee_input{{"kind", "booking"}, {"quantity", quantity}};
    if (!tier.empty() && tier != "none") fee_input["tier"] = tier;
    auto fees = host_.policy("fees", fee_input);
    if (!fees) return sdk::Error::unavailable("fees policy unavailable: " + fees.error().message);
    pricing.fees = integer_field(fees->decision, "amount",
                                 integer_field(fees->decision, "perTicket", 0) * quantity);
    pricing.revisions["fees"] = fees->revision;
    return {};
}

sdk::Response HoldService::replay(const std::string& user_id, const std::string& key,
                                  const HoldRequest& hold, bool wait) {
    const auto deadline = std::chrono::steady_clock::now() + settings_.commit_timeout;
    for (;;) {
        auto found = store_.find_by_idempotency_key(user_id, key);
        if (!found) return unavailable("reservations are unavailable");
        if (*found) {
            if (!same_request(hold, **found)) {
                return Response::error(
                    422, "IDEMPOTENCY_KEY_REUSED",
                    "this Idempotency-Key was used for a different request (reservation " +
                        (*found)->id + "); use a new key for a new request");
            }
            return Response::json(201, reservation_json(**found))
                .header("Idempotent-Replayed", "true");
        }
        if (!wait || std::chrono::steady_clock::now() > deadline) {
            return Response::error(409, "IDEMPOTENCY_IN_FLIGHT",
                                   "a request with this Idempotency-Key is still in flight");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

sdk::Response HoldService::create(const sdk::Request& request) {
    const auto principal = request.principal();
    const std::string user_id(principal.subject());
    auto body = request.json_object();
    if (!body) return Response::from_error(body.error());
    auto hold = parse_hold_request(*body);
    if (!hold) return Response::from_error(hold.error());
    std::string idempotency_key(request.idempotency_key());
    if (idempotency_key.empty())
        idempotency_key = std::string(request.header("idempotency-key").value_or(""));
    if (idempotency_key.size() > 200)
        return Response::invalid_request("header 'Idempotency-Key' is longer than 200 characters");

    auto context = contexts_.get(hold->schedule_id);
    if (!context) {
        if (!context.ok() && context.error().is_not_found())
            return Response::error(404, "NOT_FOUND", "no schedule " + hold->schedule_id);
        host_.warn("product.sale_context failed: ", context.error().message);
        return unavailable("the product catalog is unavailable");
    }
    const SaleContext& sale = **context;
    // An unpublished product's schedule does not exist for buyers (as the product plugin answers
    // for the product): 404 rather than NOT_ON_SALE, which would confirm the id.
    if (!sale.published() && sale.seller_id != user_id && !principal.has_role("admin"))
        return Response::error(404, "NOT_FOUND", "no schedule " + hold->schedule_id);
    if (auto checked = check_against(*hold, sale); !checked)
        return Response::from_error(checked.error());
    const int64_t now = host_.now_us();
    if (!sale.on_sale(now))
        return Response::error(422, "NOT_ON_SALE",
                               "schedule " + hold->schedule_id + " is not on sale");

    auto pricing = price(*hold, sale);
    if (!pricing) return Response::from_error(pricing.error());

    HoldAttempt attempt{hold->schedule_id,
                        user_id,
                        sdk::new_id("rsv"),
                        hold->seat_ids,
                        hold->grade_id,
                        hold->quantity,
                        pricing->max_per_user,
                        pricing->hold_seconds * 1000 + settings_.redis_ttl_grace.count(),
                        idempotency_key,
                        pricing->max_holds_in_window,
                        pricing->hold_window_seconds * 1000};
    sdk::Result<HoldDecision> decision = sdk::Error::internal("no attempt");
    for (int round = 0; round < 3; ++round) {
        decision = redis_.hold(attempt);
        if (!decision) break;
        sdk::Status repaired;
        if (decision->kind == HoldDecision::Kind::no_epoch) {
            repaired = ensure_epoch();
        } else if (decision->kind == HoldDecision::Kind::rebuild) {
            repaired = rebuild(sale);
        } else {
            break;
        }
        if (!repaired) {
            host_.warn("redis state of schedule ", sale.schedule_id,
                       " is not ready: ", repaired.message());
            return unavailable("seat holds are being rebuilt; retry shortly");
        }
    }
    if (!decision) {
        host_.warn("hold script failed: ", decision.error().message);
        return unavailable("seat holds are unavailable");
    }
    switch (decision->kind) {
        case HoldDecision::Kind::held:
            break;
        case HoldDecision::Kind::taken:
            return Response::error(409, "SEAT_TAKEN",
                                   "seat " + decision->taken_seat + " is already taken");
        case HoldDecision::Kind::sold_out:
            return Response::error(409, "SOLD_OUT", "grade " + hold->grade_id + " is sold out");
        case HoldDecision::Kind::limit:
            return Response::error(422, "LIMIT_EXCEEDED",
                                   "at most " + std::to_string(pricing->max_per_user) +
                                       " tickets per buyer for this schedule (holding " +
                                       std::to_string(decision->owned) + ")");
        case HoldDecision::Kind::hoarding:
            return Response::error(422, "LIMIT_EXCEEDED",
                                   "at most " + std::to_string(pricing->max_holds_in_window) +
                                       " holds per buyer for this schedule within " +
                                       std::to_string(pricing->hold_window_seconds) + " s (made " +
                                       std::to_string(decision->holds_made) +
                                       "); releasing a hold does not give one back");
        case HoldDecision::Kind::duplicate:
            return replay(user_id, idempotency_key, *hold);
        default:
            return unavailable("seat holds are being rebuilt; retry shortly");
    }

    // Fees only matter for a granted hold: refusals (most answers in a rush) skip that policy call.
    if (auto fees = add_fees(*pricing, hold->quantity, principal.claim("tier").value_or("none"));
        !fees) {
        HeldClaims granted{
            hold->schedule_id,      user_id,
            attempt.reservation_id, sale.general_admission,
            hold->grade_id,         sale.general_admission ? decision->units : hold->seat_ids,
            hold->quantity,         idempotency_key};
        if (auto s = redis_.release(granted); !s)
            host_.warn("undoing a hold in redis failed: ", s.message());
        return Response::from_error(fees.error());
    }
    HoldRecord record;
    record.id = attempt.reservation_id;
    record.user_id = user_id;
    record.schedule_id = sale.schedule_id;
    record.product_id = sale.product_id;
    record.general_admission = sale.general_admission;
    record.grade_id = hold->grade_id;
    record.quantity = hold->quantity;
    record.claim_ids = sale.general_admission ? decision->units : hold->seat_ids;
    record.items = std::move(pricing->items);
    record.fencing_token = decision->fencing_token;
    record.idempotency_key = idempotency_key;
    record.expires_us = now + pricing->hold_seconds * 1'000'000;
    record.starts_us = sale.starts_us;
    record.subtotal = pricing->subtotal;
    record.fees = pricing->fees;
    record.total = pricing->subtotal + pricing->fees;
    record.currency = pricing->currency;
    record.policy_revisions = std::move(pricing->revisions);
    record.created_us = now;
    boost::json::array seat_ids;
    for (const auto& seat : hold->seat_ids) seat_ids.emplace_back(seat);
    record.held_event = {
        {"reservationId", record.id},
        {"scheduleId", record.schedule_id},
        {"productId", record.product_id},
        {"userId", user_id},
        {"seatIds", std::move(seat_ids)},
        {"quantity", record.quantity},
        {"expiresAt", sdk::format_rfc3339(record.expires_us, /*with_millis=*/true)}};
    if (!record.grade_id.empty()) record.held_event["gradeId"] = record.grade_id;
    HeldClaims claims{record.schedule_id,       user_id,         record.id,
                      record.general_admission, record.grade_id, record.claim_ids,
                      record.quantity,          idempotency_key};
    return finish(request, *hold, sale, std::move(record), claims);
}

sdk::Response HoldService::finish(const sdk::Request& request, const HoldRequest& hold,
                                  const SaleContext& context, HoldRecord record,
                                  const HeldClaims& claims) {
    ReservationRow row = row_of(record);
    if (auto later = request.defer()) {
        // The answer comes from the batch writer once the batch ended; this worker is free now.
        // (A batch that never ends is answered 503 by the host after its request timeout.)
        auto reply = std::make_shared<sdk::LaterResponse>(std::move(*later));
        batcher_.submit(
            std::move(record), [this, reply, hold, claims, row = std::move(row),
                                general = context.general_admission](BatchOutcome outcome) {
                reply->send(answer(outcome, hold, general, row, claims, /*wait_for_replay=*/false));
            });
        return sdk::Response::later();
    }
    auto outcome = batcher_.submit(std::move(record));
    if (outcome.wait_for(settings_.commit_timeout) != std::future_status::ready) {
        // The batch may still commit: the hold then simply expires unless the buyer retries with
        // the same Idempotency-Key, which answers it.
        return unavailable(
            "the reservation could not be confirmed in time; retry with the same Idempotency-Key");
    }
    return answer(outcome.get(), hold, context.general_admission, row, claims,
                  /*wait_for_replay=*/true);
}

sdk::Response HoldService::answer(BatchOutcome outcome, const HoldRequest& hold,
                                  bool general_admission, const ReservationRow& row,
                                  const HeldClaims& claims, bool wait_for_replay) {
    if (outcome == BatchOutcome::committed) return Response::json(201, reservation_json(row));
    if (auto s = redis_.release(claims); !s)
        host_.warn("undoing a refused hold in redis failed: ", s.message());
    switch (outcome) {
        case BatchOutcome::refused:
            if (general_admission)
                return Response::error(409, "SOLD_OUT", "grade " + hold.grade_id + " is sold out");
            return Response::error(409, "SEAT_TAKEN", "a requested seat is already taken");
        case BatchOutcome::duplicate:
            return replay(claims.user_id, claims.idempotency_key, hold, wait_for_replay);
        default:
            return unavailable("reservations are unavailable");
    }
}

}  // namespace admit::reservation

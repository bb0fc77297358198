#include "seat_map.hpp"

#include "http_caching.hpp"

namespace admit::product {

using admit::sdk::Error;
using admit::sdk::Result;
using admit::sdk::Status;

namespace {

constexpr const char* kApplyScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[2])
for i = 3, 2 + n do
  if ARGV[1] == '' then redis.call('HDEL', KEYS[1], ARGV[i]) else redis.call('HSET', KEYS[1], ARGV[i], ARGV[1]) end
end
for i = 3 + n, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return redis.call('HINCRBY', KEYS[1], '_v', 1)
)lua";

// ARGV[1]: the first version (the wall clock in ms, so that versions keep growing across a
// rebuild and an SSE client's Last-Event-ID never names a different change); then field, value.
constexpr const char* kLoadScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], '_v', ARGV[1])
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
)lua";

std::string json_text(std::string_view text) {
    return boost::json::serialize(boost::json::string(text));
}

}  // namespace

Status SeatMap::register_scripts() {
    if (auto s = host_.redis().register_script("product_seats_apply", kApplyScript); !s) return s;
    return host_.redis().register_script("product_seats_load", kLoadScript);
}

std::shared_ptr<SeatMap::Entry> SeatMap::entry(const std::string& schedule_id) {
    std::lock_guard lock(mutex_);
    auto& slot = entries_[schedule_id];
    if (!slot) slot = std::make_shared<Entry>();
    return slot;
}

Result<SeatMapView> SeatMap::view(const std::string& schedule_id) {
    auto e = entry(schedule_id);
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(e->mutex);
        if (e->view.body) {
            // Fresh, or stale while another thread is already refreshing it: serve what we have.
            if (now - e->checked_at < ttl_ || e->refreshing.load()) return e->view;
        }
    }
    bool expected = false;
    const bool mine = e->refreshing.compare_exchange_strong(expected, true);
    if (!mine) {  // lost the race to refresh: serve the previous body when there is one
        std::lock_guard lock(e->mutex);
        if (e->view.body) return e->view;
    }
    auto result = refresh(schedule_id, *e);
    if (mine) e->refreshing.store(false);
    if (!result && result.error().is_not_found()) {
        std::lock_guard lock(mutex_);
        entries_.erase(schedule_id);  // do not keep entries for ids that do not exist
    }
    return result;
}

Result<SeatMapView> SeatMap::refresh(const std::string& schedule_id, Entry& e) {
    auto facts = facts_.get(schedule_id);
    if (!facts) return std::move(facts).error();
    auto version = host_.redis().command({"HGET", redis_key(schedule_id), "_v"});
    if (version && version->type == admit::sdk::RedisReply::Type::nil) {
        ensure_loaded(schedule_id);
        version = host_.redis().command({"HGET", redis_key(schedule_id), "_v"});
    }
    const bool redis_ok = version && !version->is_error() && !version->is_nil();
    {
        std::lock_guard lock(e.mutex);
        if (redis_ok && e.view.body && e.version == version->str && e.view.facts == *facts) {
            e.checked_at = std::chrono::steady_clock::now();
            return e.view;
        }
    }
    Result<Fields> state =
        redis_ok ? state_from_redis(schedule_id) : state_from_postgres(schedule_id);
    if (!state) return std::move(state).error();
    std::string current = redis_ok ? version->str : std::string("pg");
    auto it = state->find("_v");  // the hash read may be newer than the HGET above
    if (it != state->end()) current = it->second;
    SeatMapView view;
    view.body = std::make_shared<const std::string>(render(**facts, *state, current));
    view.facts = *facts;
    view.etag = entity_tag(*view.body);
    // Compressed once per rendered version (at most once per ttl per host), never per request.
    if (auto packed = gzip_compress(*view.body)) {
        view.gzip_etag = entity_tag(*view.body, ".gz");
        view.gzip_body = std::make_shared<const std::string>(std::move(*packed));
    }
    std::lock_guard lock(e.mutex);
    e.view = view;
    e.version = current;
    // Without Redis the PostgreSQL read stays valid for one ttl as well.
    e.checked_at = std::chrono::steady_clock::now();
    return view;
}

Result<SeatMap::Fields> SeatMap::state_from_redis(const std::string& schedule_id) {
    auto reply = host_.redis().command({"HGETALL", redis_key(schedule_id)});
    if (!reply || reply->is_error()) {
        host_.warn("seat map: redis HGETALL failed for ", schedule_id, "; reading PostgreSQL");
        return state_from_postgres(schedule_id);
    }
    Fields fields;
    for (std::size_t i = 0; i + 1 < reply->elements.size(); i += 2) {
        fields.emplace(reply->elements[i].str, reply->elements[i + 1].str);
    }
    return fields;
}

Result<SeatMap::Fields> SeatMap::state_from_postgres(const std::string& schedule_id) {
    Fields fields;
    auto seats = host_.db().exec(
        "SELECT seat_id, status FROM product.seat_states WHERE schedule_id = $1", schedule_id);
    if (!seats) return std::move(seats).error();
    for (const auto& row : *seats) fields.emplace(row.text("seat_id"), row.text("status"));
    auto grades = host_.db().exec(
        "SELECT grade_id, total - held - sold AS remaining FROM product.schedule_grades "
        "WHERE schedule_id = $1",
        schedule_id);
    if (!grades) return std::move(grades).error();
    for (const auto& row : *grades)
        fields.emplace("r:" + row.text("grade_id"), row.text("remaining"));
    return fields;
}

void SeatMap::ensure_loaded(const std::string& schedule_id) {
    auto state = state_from_postgres(schedule_id);
    if (!state) {
        host_.warn("seat map: cannot read state of ", schedule_id, ": ", state.error().message);
        return;
    }
    std::vector<std::string> args;
    args.reserve(state->size() * 2 + 1);
    args.push_back(std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count()));
    for (const auto& [field, value] : *state) {
        args.push_back(field);
        args.push_back(value);
    }
    auto reply = host_.redis().eval("product_seats_load", {redis_key(schedule_id)}, args);
    if (!reply || reply->is_error()) {
        host_.warn("seat map: cannot load redis state of ", schedule_id, ": ",
                   reply ? reply->str : reply.error().message);
    }
}

std::optional<std::string> SeatMap::apply(
    const std::string& schedule_id, const std::string& seat_status,
    const std::vector<std::string>& seat_ids,
    const std::map<std::string, int64_t>& remaining_by_grade) {
    std::vector<std::string> args{seat_status, std::to_string(seat_ids.size())};
    args.insert(args.end(), seat_ids.begin(), seat_ids.end());
    for (const auto& [grade, remaining] : remaining_by_grade) {
        args.push_back("r:" + grade);
        args.push_back(std::to_string(remaining));
    }
    auto reply = host_.redis().eval("product_seats_apply", {redis_key(schedule_id)}, args);
    if (!reply || reply->is_error()) {
        host_.warn("seat map: redis update of ", schedule_id, " failed (",
                   reply ? reply->str : reply.error().message,
                   "); dropping the hash so that it is rebuilt from PostgreSQL");
        (void)host_.redis().command({"DEL", redis_key(schedule_id)});
    }
    {
        auto e = entry(schedule_id);
        std::lock_guard lock(e->mutex);
        e->checked_at = {};  // this host re-checks on its next request
    }
    if (!reply || reply->is_error() || reply->type != admit::sdk::RedisReply::Type::integer ||
        reply->integer == 0)
        return std::nullopt;  // 0: no hash (it is loaded from PostgreSQL on the next read)
    return std::to_string(reply->integer);
}

std::string SeatMap::render(const ScheduleFacts& facts, const Fields& state,
                            const std::string& version) {
    std::vector<int64_t> remaining(facts.grades.size());
    for (std::size_t i = 0; i < facts.grades.size(); ++i) {
        auto it = state.find("r:" + facts.grades[i].grade_id);
        remaining[i] = facts.grades[i].total;
        if (it != state.end()) {
            try {
                remaining[i] = std::stoll(it->second);
            } catch (const std::exception&) {
            }
        }
    }
    std::string out;
    out.reserve(256 + facts.grades.size() * 128 + facts.seats.size() * 96);
    out += "{\"scheduleId\":" + json_text(facts.schedule_id) +
           ",\"productId\":" + json_text(facts.product_id) +
           ",\"productStatus\":" + json_text(facts.status) +
           ",\"seating\":" + json_text(facts.seating) + ",\"version\":" + json_text(version) +
           ",\"grades\":[";
    for (std::size_t i = 0; i < facts.grades.size(); ++i) {
        const auto& g = facts.grades[i];
        if (i != 0) out += ',';
        out += "{\"gradeId\":" + json_text(g.grade_id) + ",\"name\":" + json_text(g.name) +
               ",\"price\":{\"amount\":" + std::to_string(g.price_amount) +
               ",\"currency\":" + json_text(g.currency) + "},\"total\":" + std::to_string(g.total) +
               ",\"remaining\":" + std::to_string(remaining[i]) + "}";
    }
    out += "],\"columns\":[\"seatId\",\"label\",\"grade\",\"x\",\"y\",\"status\"],\"seats\":[";
    for (std::size_t i = 0; i < facts.seats.size(); ++i) {
        const auto& seat = facts.seats[i];
        if (i != 0) out += ',';
        out += seat.rendered_prefix;
        auto it = state.find(seat.seat_id);
        out += it == state.end() ? "AVAILABLE" : it->second;
        out += "\"]";
    }
    out += "]}";
    return out;
}

}  // namespace admit::product

#include "seat_map.hpp"

#include "http_caching.hpp"

namespace admit::product {

using admit::sdk::Error;
using admit::sdk::Result;
using admit::sdk::Status;

namespace {

// KEYS[1]: the hash, KEYS[2]: its change list. ARGV[1]: status ("" = AVAILABLE), ARGV[2]: n,
// ARGV[3]: the change record ("" = none), ARGV[4]: records kept, ARGV[5..4+n]: seat ids, then
// field, value pairs. The record goes to the list as "<version> <record>" in the same script as
// the version bump, so the list is in version order whichever host applied each change.
constexpr const char* kApplyScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local n = tonumber(ARGV[2])
for i = 5, 4 + n do
  if ARGV[1] == '' then redis.call('HDEL', KEYS[1], ARGV[i]) else redis.call('HSET', KEYS[1], ARGV[i], ARGV[1]) end
end
for i = 5 + n, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local v = redis.call('HINCRBY', KEYS[1], '_v', 1)
if ARGV[3] ~= '' then
  redis.call('RPUSH', KEYS[2], redis.call('HGET', KEYS[1], '_v') .. ' ' .. ARGV[3])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
  redis.call('PEXPIRE', KEYS[2], 600000)
end
return v
)lua";

// KEYS[1]: the hash, KEYS[2]: its change list; ARGV[1]: the version a host sent last ("" = none
// yet). Answers {current version} and, after a sent version, the records newer than it, oldest
// first; {} when there is no hash.
constexpr const char* kChangesAfterScript = R"lua(
local current = redis.call('HGET', KEYS[1], '_v')
if not current then return {} end
local out = {current}
if ARGV[1] == '' or tonumber(current) <= tonumber(ARGV[1]) then return out end
local sent = tonumber(ARGV[1])
local newer = {}
local i = -1
while true do
  local entry = redis.call('LINDEX', KEYS[2], i)
  if not entry or tonumber(string.match(entry, '^%d+')) <= sent then break end
  newer[#newer + 1] = entry
  i = i - 1
end
for j = #newer, 1, -1 do out[#out + 1] = newer[j] end
return out
)lua";

// ARGV[1]: the first version (the wall clock in ms, so that versions keep growing across a
// rebuild and an SSE client's Last-Event-ID never names a different change); then field, value.
// The change list of the lost hash goes too: a relay sees the version jump and sends a snapshot.
constexpr const char* kLoadScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
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
    if (auto s = host_.redis().register_script("product_seats_changes", kChangesAfterScript); !s)
        return s;
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
    view.version = current;
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
    auto reply = host_.redis().eval("product_seats_load",
                                    {redis_key(schedule_id), changes_key(schedule_id)}, args);
    if (!reply || reply->is_error()) {
        host_.warn("seat map: cannot load redis state of ", schedule_id, ": ",
                   reply ? reply->str : reply.error().message);
    }
}

std::optional<int64_t> SeatMap::apply(const SeatChange& change) {
    const std::string& schedule_id = change.schedule_id;
    std::vector<std::string> args{change.status, std::to_string(change.changed.size()),
                                  change_record(change), std::to_string(kKeptChanges)};
    args.insert(args.end(), change.changed.begin(), change.changed.end());
    for (const auto& [grade, remaining] : change.remaining) {
        args.push_back("r:" + grade);
        args.push_back(std::to_string(remaining));
    }
    auto reply = host_.redis().eval("product_seats_apply",
                                    {redis_key(schedule_id), changes_key(schedule_id)}, args);
    if (!reply || reply->is_error()) {
        host_.warn("seat map: redis update of ", schedule_id, " failed (",
                   reply ? reply->str : reply.error().message,
                   "); dropping the hash so that it is rebuilt from PostgreSQL");
        (void)host_.redis().command({"DEL", redis_key(schedule_id)});
    }
    invalidate(schedule_id);  // this host re-checks on its next request
    if (!reply || reply->is_error() || reply->type != admit::sdk::RedisReply::Type::integer ||
        reply->integer == 0)
        return std::nullopt;  // 0: no hash (it is loaded from PostgreSQL on the next read)
    return reply->integer;
}

Result<std::optional<ChangesAfter>> SeatMap::changes_after(const std::string& schedule_id,
                                                           std::optional<int64_t> sent) {
    auto reply = host_.redis().eval("product_seats_changes",
                                    {redis_key(schedule_id), changes_key(schedule_id)},
                                    {sent ? std::to_string(*sent) : std::string()});
    if (!reply) return std::move(reply).error();
    if (reply->is_error()) return Error::unavailable("seat map changes: " + reply->str);
    if (reply->elements.empty()) return std::optional<ChangesAfter>();
    const std::string& current = reply->elements.front().str;
    const auto version = map_version(current);
    if (!version)
        return Error::internal("seat map of " + schedule_id + ": version '" + current +
                               "' is not a number");
    ChangesAfter out{*version, {}};
    for (std::size_t i = 1; i < reply->elements.size(); ++i)
        out.entries.push_back(std::move(reply->elements[i].str));
    return std::optional<ChangesAfter>(std::move(out));
}

void SeatMap::invalidate(const std::string& schedule_id) {
    auto e = entry(schedule_id);
    std::lock_guard lock(e->mutex);
    e->checked_at = {};
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

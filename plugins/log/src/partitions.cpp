#include "partitions.hpp"

#include <ctime>

namespace admit::log {

namespace {
/// "admitlog" as a 64-bit advisory lock key.
constexpr const char* kLockChain = "SELECT pg_advisory_xact_lock(7017488838476590951)";
}  // namespace

sdk::Status chain_lock(sdk::Tx& tx) {
    auto locked = tx.exec(kLockChain);
    if (!locked) return locked.error();
    return {};
}

int64_t Partitions::start_of(int64_t recorded_us) const noexcept {
    int64_t start = recorded_us - recorded_us % width_us_;
    if (recorded_us < 0 && recorded_us % width_us_ != 0) start -= width_us_;
    return start;
}

std::string Partitions::name_for(int64_t recorded_us) const {
    const std::time_t seconds = static_cast<std::time_t>(start_of(recorded_us) / 1000000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "entries_%Y%m%dt%H%M%S", &utc);
    return text;
}

sdk::Status Partitions::create(sdk::Tx& tx, int64_t from) {
    const std::string name = name_for(from);
    auto listed = tx.exec("SELECT 1 FROM log.partitions WHERE name = $1", name);
    if (!listed) return listed.error();
    if (!listed->empty()) return {};
    // DDL takes no parameters: the name and bounds are generated here (digits and fixed text).
    auto created = tx.exec("CREATE TABLE IF NOT EXISTS log." + name +
                           " PARTITION OF log.entries FOR VALUES FROM (" + std::to_string(from) +
                           ") TO (" + std::to_string(from + width_us_) + ")");
    if (!created) return created.error();
    auto recorded = tx.exec(
        "INSERT INTO log.partitions (name, from_us, to_us) VALUES ($1, $2, $3) "
        "ON CONFLICT (name) DO NOTHING",
        name, from, from + width_us_);
    if (!recorded) return recorded.error();
    return {};
}

bool Partitions::known(int64_t recorded_us) {
    std::lock_guard lock(mutex_);
    return recorded_us >= known_from_ && recorded_us < known_to_;
}

sdk::Status Partitions::ensure(sdk::Tx& tx, int64_t recorded_us) {
    if (known(recorded_us)) return {};
    const int64_t from = start_of(recorded_us);
    ADMIT_TRY(create(tx, from));
    return tx.on_commit([this, from] {
        std::lock_guard lock(mutex_);
        known_from_ = from;
        known_to_ = from + width_us_;
    });
}

sdk::Result<int64_t> Partitions::maintain(sdk::Database& db, int64_t now_us) {
    // The next partition, ahead of time, so that writes at the boundary do no DDL.
    ADMIT_TRY(db.transaction([&](sdk::Tx& tx) -> sdk::Status {
        ADMIT_TRY(chain_lock(tx));
        return create(tx, start_of(now_us + width_us_));
    }));
    if (retention_us_ <= 0) return int64_t{0};
    auto expired = db.exec(
        "SELECT name, from_us, to_us FROM log.partitions WHERE to_us <= $1 ORDER BY from_us",
        now_us - retention_us_);
    if (!expired) return std::move(expired).error();
    int64_t dropped = 0;
    for (const auto& row : *expired) {
        ADMIT_TRY(drop(db, row.text("name"), row.int64("from_us").value_or(0),
                       row.int64("to_us").value_or(0), now_us));
        ++dropped;
    }
    return dropped;
}

sdk::Status Partitions::drop(sdk::Database& db, const std::string& name, int64_t from_us,
                             int64_t to_us, int64_t now_us) {
    // `name` comes from log.partitions, which only name_for() fills: safe in DDL text.
    return db.transaction([&](sdk::Tx& tx) -> sdk::Status {
        ADMIT_TRY(chain_lock(tx));
        auto summary = tx.exec(
            "SELECT min(seq) AS first_seq, max(seq) AS last_seq, "
            "count(*) AS entries FROM log." +
            name);
        if (!summary) return summary.error();
        const auto first = summary->front().int64("first_seq");
        const auto last = summary->front().int64("last_seq");
        std::optional<std::string> last_hash;
        if (last) {
            auto hash = tx.exec("SELECT hash FROM log." + name + " WHERE seq = $1", *last);
            if (!hash) return hash.error();
            if (!hash->empty()) last_hash = hash->front().text("hash");
        }
        auto anchored = tx.exec(
            "INSERT INTO log.anchors (partition, from_us, to_us, first_seq, last_seq, last_hash, "
            "entries, dropped_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            name, from_us, to_us, first, last, last_hash,
            summary->front().int64("entries").value_or(0), now_us);
        if (!anchored) return anchored.error();
        for (const std::string& statement :
             {"ALTER TABLE log.entries DETACH PARTITION log." + name, "DROP TABLE log." + name}) {
            auto done = tx.exec(statement);
            if (!done) return done.error();
        }
        auto forgotten = tx.exec("DELETE FROM log.partitions WHERE name = $1", name);
        if (!forgotten) return forgotten.error();
        auto seen = tx.exec("DELETE FROM log.recorded_events WHERE recorded_us < $1", to_us);
        if (!seen) return seen.error();
        return tx.on_commit([this, from_us] {
            std::lock_guard lock(mutex_);
            if (known_from_ == from_us) known_from_ = known_to_ = 0;
        });
    });
}

}  // namespace admit::log

#include "message_store.hpp"

namespace admit::notification {

namespace {

constexpr const char* kColumns =
    "seq, id, event_id, event_type, kind, channel, recipient, essential, data, subject, body, "
    "status, attempts, next_attempt_us, last_error, last_status, latency_ms, created_us, "
    "sent_us, read_us";

std::optional<std::string> optional_text(const sdk::Row& row, std::string_view column) {
    if (row.is_null(column)) return std::nullopt;
    return row.text(column);
}

Message message_from(const sdk::Row& row) {
    Message m;
    m.seq = row.int64("seq").value_or(0);
    m.id = row.text("id");
    m.event_id = row.text("event_id");
    m.event_type = row.text("event_type");
    m.kind = row.text("kind");
    m.channel = row.text("channel");
    m.recipient = row.text("recipient");
    m.essential = row.boolean("essential").value_or(true);
    m.data = row.text("data");
    m.subject = optional_text(row, "subject");
    m.body = optional_text(row, "body");
    m.status = row.text("status");
    m.attempts = row.int64("attempts").value_or(0);
    m.next_attempt_us = row.int64("next_attempt_us").value_or(0);
    m.last_error = optional_text(row, "last_error");
    m.last_status = row.int64("last_status");
    m.latency_ms = row.int64("latency_ms");
    m.created_us = row.int64("created_us").value_or(0);
    m.sent_us = row.int64("sent_us");
    m.read_us = row.int64("read_us");
    return m;
}

std::vector<Message> messages_from(const sdk::Rows& rows) {
    std::vector<Message> out;
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(message_from(row));
    return out;
}

boost::json::value time_or_null(const std::optional<int64_t>& us) {
    if (!us) return nullptr;
    return boost::json::value(sdk::format_rfc3339(*us, true));
}

}  // namespace

boost::json::object message_json(const Message& m) {
    boost::system::error_code ec;
    auto data = boost::json::parse(m.data, ec);
    auto text_or_null = [](const std::optional<std::string>& text) -> boost::json::value {
        if (!text) return nullptr;
        return boost::json::value(*text);
    };
    auto int_or_null = [](const std::optional<int64_t>& value) -> boost::json::value {
        if (!value) return nullptr;
        return boost::json::value(*value);
    };
    boost::json::object out{
        {"id", m.id},
        {"eventId", m.event_id},
        {"eventType", m.event_type},
        {"kind", m.kind},
        {"channel", m.channel},
        {"recipient", m.recipient},
        {"essential", m.essential},
        {"title", text_or_null(m.subject)},
        {"body", text_or_null(m.body)},
        {"data", ec ? boost::json::value(nullptr) : std::move(data)},
        {"status", m.status},
        {"attempts", m.attempts},
        {"lastError", text_or_null(m.last_error)},
        {"lastStatus", int_or_null(m.last_status)},
        {"latencyMs", int_or_null(m.latency_ms)},
        {"createdAt", sdk::format_rfc3339(m.created_us, true)},
        {"sentAt", time_or_null(m.sent_us)},
        {"nextAttemptAt", m.status == "queued" || m.status == "failed"
                              ? boost::json::value(sdk::format_rfc3339(m.next_attempt_us, true))
                              : boost::json::value(nullptr)},
    };
    if (m.channel == "in_app") {
        out["read"] = m.read_us.has_value();
        out["readAt"] = time_or_null(m.read_us);
    }
    return out;
}

sdk::Result<bool> MessageStore::create(sdk::Tx& tx, const MessageDraft& draft, int64_t now_us) {
    auto inserted = tx.exec(
        "INSERT INTO notification.messages (id, event_id, event_type, kind, channel, recipient, "
        "essential, data, subject, body, status, next_attempt_us, last_error, created_us) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json, $9, $10, $11, $12, $13, $12) "
        "ON CONFLICT (event_id, recipient, channel) DO NOTHING",
        sdk::new_id("ntf"), draft.event_id, draft.event_type, draft.kind, draft.channel,
        draft.recipient, draft.essential, draft.data, draft.subject, draft.body,
        draft.dead_reason ? "dead" : "queued", now_us, draft.dead_reason);
    if (!inserted) return std::move(inserted).error();
    return inserted->affected > 0;
}

sdk::Result<std::vector<Message>> MessageStore::list_for(const std::string& recipient,
                                                         const std::optional<std::string>& channel,
                                                         std::optional<bool> read,
                                                         std::optional<int64_t> before_seq,
                                                         int64_t limit) {
    // Channels other than in_app have no read state: a read filter selects in-app messages.
    auto rows = db_.exec(
        std::string("SELECT ") + kColumns +
            " FROM notification.messages WHERE recipient = $1 AND channel <> 'webhook' "
            "AND ($2::text IS NULL OR channel = $2) "
            "AND ($3::boolean IS NULL OR (channel = 'in_app' AND (read_us IS NOT NULL) = $3)) "
            "AND ($4::bigint IS NULL OR seq < $4) ORDER BY seq DESC LIMIT $5",
        recipient, channel, read, before_seq, limit);
    if (!rows) return std::move(rows).error();
    return messages_from(*rows);
}

sdk::Result<std::optional<Message>> MessageStore::mark_read(const std::string& id,
                                                            const std::string& recipient,
                                                            int64_t now_us) {
    auto rows = db_.exec(std::string("UPDATE notification.messages SET read_us = "
                                     "coalesce(read_us, $3) WHERE id = $1 AND recipient = $2 "
                                     "AND channel = 'in_app' RETURNING ") +
                             kColumns,
                         id, recipient, now_us);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<Message>();
    return std::optional<Message>(message_from(rows->front()));
}

sdk::Result<std::optional<Message>> MessageStore::find(const std::string& id) {
    auto rows = db_.exec(
        std::string("SELECT ") + kColumns + " FROM notification.messages WHERE id = $1", id);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<Message>();
    return std::optional<Message>(message_from(rows->front()));
}

sdk::Result<std::vector<Message>> MessageStore::dead(std::optional<int64_t> before_seq,
                                                     int64_t limit) {
    auto rows = db_.exec(std::string("SELECT ") + kColumns +
                             " FROM notification.messages WHERE status = 'dead' "
                             "AND ($1::bigint IS NULL OR seq < $1) ORDER BY seq DESC LIMIT $2",
                         before_seq, limit);
    if (!rows) return std::move(rows).error();
    return messages_from(*rows);
}

sdk::Result<Message> MessageStore::retry(const std::string& id, int64_t now_us) {
    auto rows = db_.exec(std::string("UPDATE notification.messages SET status = 'queued', "
                                     "attempts = 0, next_attempt_us = $2 "
                                     "WHERE id = $1 AND status = 'dead' RETURNING ") +
                             kColumns,
                         id, now_us);
    if (!rows) return std::move(rows).error();
    if (!rows->empty()) return message_from(rows->front());
    auto existing = find(id);
    if (!existing) return std::move(existing).error();
    if (!*existing) return sdk::Error::not_found("no message " + id);
    return sdk::Error::conflict("message " + id + " is " + (*existing)->status + ", not dead");
}

sdk::Status MessageStore::set_content(const std::string& id, const std::string& subject,
                                      const std::string& body) {
    auto updated =
        db_.exec("UPDATE notification.messages SET subject = $2, body = $3 WHERE id = $1", id,
                 subject, body);
    if (!updated) return updated.error();
    return {};
}

sdk::Result<std::vector<Message>> MessageStore::deliveries_of(const std::string& hook_id,
                                                              int64_t since_us,
                                                              std::optional<int64_t> before_seq,
                                                              int64_t limit) {
    auto rows = db_.exec(std::string("SELECT ") + kColumns +
                             " FROM notification.messages WHERE recipient = $1 AND channel = "
                             "'webhook' AND created_us >= $2 AND ($3::bigint IS NULL OR seq < $3) "
                             "ORDER BY seq DESC LIMIT $4",
                         hook_id, since_us, before_seq, limit);
    if (!rows) return std::move(rows).error();
    return messages_from(*rows);
}

sdk::Result<std::vector<Message>> MessageStore::claim(const std::string& channel, int64_t now_us,
                                                      int64_t lease_us, int64_t limit) {
    auto rows = db_.exec(
        std::string("UPDATE notification.messages SET attempts = attempts + 1, "
                    "next_attempt_us = $2 + $3 WHERE id IN (SELECT id FROM notification.messages "
                    "WHERE channel = $1 AND status IN ('queued', 'failed') AND next_attempt_us <= "
                    "$2 ORDER BY next_attempt_us LIMIT $4 FOR UPDATE SKIP LOCKED) RETURNING ") +
            kColumns,
        channel, now_us, lease_us, limit);
    if (!rows) return std::move(rows).error();
    auto claimed = messages_from(*rows);
    std::sort(claimed.begin(), claimed.end(),
              [](const Message& a, const Message& b) { return a.seq < b.seq; });
    return claimed;
}

sdk::Status MessageStore::record(const Message& message, const Attempt& attempt, int64_t now_us,
                                 std::optional<int64_t> next_attempt_us) {
    const char* status = attempt.delivered ? "sent" : (next_attempt_us ? "failed" : "dead");
    auto updated = db_.exec(
        "UPDATE notification.messages SET status = $2, sent_us = CASE WHEN $2 = 'sent' THEN $3 "
        "ELSE sent_us END, next_attempt_us = coalesce($4, next_attempt_us), last_error = $5, "
        "last_status = $6, latency_ms = $7 WHERE id = $1",
        message.id, status, now_us, next_attempt_us,
        attempt.delivered ? std::optional<std::string>()
                          : std::optional<std::string>(attempt.error),
        attempt.http_status, attempt.latency_ms);
    if (!updated) return updated.error();
    return {};
}

sdk::Result<int64_t> MessageStore::forget_before(int64_t before_us) {
    auto deleted = db_.exec("DELETE FROM notification.messages WHERE created_us < $1", before_us);
    if (!deleted) return std::move(deleted).error();
    return static_cast<int64_t>(deleted->affected);
}

sdk::Result<MessageStore::Preferences> MessageStore::preferences(sdk::Tx* tx,
                                                                 const std::string& user_id) {
    static constexpr const char* kSql =
        "SELECT email_non_essential, language FROM notification.preferences WHERE user_id = $1";
    auto rows = tx != nullptr ? tx->exec(kSql, user_id) : db_.exec(kSql, user_id);
    if (!rows) return std::move(rows).error();
    Preferences preferences;
    if (!rows->empty()) {
        preferences.email_non_essential =
            rows->front().boolean("email_non_essential").value_or(true);
        preferences.language = optional_text(rows->front(), "language");
    }
    return preferences;
}

sdk::Status MessageStore::set_preferences(const std::string& user_id,
                                          const Preferences& preferences, int64_t now_us) {
    auto saved = db_.exec(
        "INSERT INTO notification.preferences (user_id, email_non_essential, language, "
        "updated_us) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET "
        "email_non_essential = EXCLUDED.email_non_essential, language = EXCLUDED.language, "
        "updated_us = EXCLUDED.updated_us",
        user_id, preferences.email_non_essential, preferences.language, now_us);
    if (!saved) return saved.error();
    return {};
}

}  // namespace admit::notification

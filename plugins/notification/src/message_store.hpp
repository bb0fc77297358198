// notification.messages and notification.preferences: creating messages idempotently, the
// recipient's list, read marks, claiming due messages for delivery and recording the outcome,
// dead letters. Thread-safe (stateless over the host's database).
#pragma once

#include <admit/sdk.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace admit::notification {

/// A row of notification.messages.
struct Message {
    int64_t seq = 0;
    std::string id;
    std::string event_id;
    std::string event_type;
    std::string kind;
    std::string channel;  ///< in_app | email | webhook
    std::string recipient;
    bool essential = true;
    std::string data;  ///< JSON text
    std::optional<std::string> subject;
    std::optional<std::string> body;
    std::string status;  ///< queued | sent | failed | dead
    int64_t attempts = 0;
    int64_t next_attempt_us = 0;
    std::optional<std::string> last_error;
    std::optional<int64_t> last_status;
    std::optional<int64_t> latency_ms;
    int64_t created_us = 0;
    std::optional<int64_t> sent_us;
    std::optional<int64_t> read_us;
};

/// A message to create. A message whose rendering failed is created dead with the reason.
struct MessageDraft {
    std::string event_id;
    std::string event_type;
    std::string kind;
    std::string channel;
    std::string recipient;
    bool essential = true;
    std::string data;
    std::optional<std::string> subject;
    std::optional<std::string> body;
    std::optional<std::string> dead_reason;
};

/// The outcome of one delivery attempt.
struct Attempt {
    bool delivered = false;
    bool permanent = false;  ///< a failure that no retry can fix (the message goes dead)
    std::string error;
    std::optional<int64_t> http_status;
    int64_t latency_ms = 0;
};

/// The API shape of a message (without the webhook secret-bearing fields, which it has none of).
boost::json::object message_json(const Message& message);

class MessageStore {
  public:
    explicit MessageStore(sdk::Database& db) : db_(db) {}

    /// Inserts `draft` unless (event, recipient, channel) exists; true when inserted.
    sdk::Result<bool> create(sdk::Tx& tx, const MessageDraft& draft, int64_t now_us);

    /// The recipient's messages, newest first; `read`: only read (true) or unread (false)
    /// in-app messages; `channel` filters. Cursor = seq of the last item.
    sdk::Result<std::vector<Message>> list_for(const std::string& recipient,
                                               const std::optional<std::string>& channel,
                                               std::optional<bool> read,
                                               std::optional<int64_t> before_seq, int64_t limit);
    /// Marks the recipient's in-app message read (once; later calls keep the first time);
    /// nullopt when the recipient has no such in-app message.
    sdk::Result<std::optional<Message>> mark_read(const std::string& id,
                                                  const std::string& recipient, int64_t now_us);
    sdk::Result<std::optional<Message>> find(const std::string& id);

    /// Dead messages of every channel, newest first.
    sdk::Result<std::vector<Message>> dead(std::optional<int64_t> before_seq, int64_t limit);
    /// A dead message back to queued, due now, attempts reset; CONFLICT when it is not dead,
    /// NOT_FOUND when there is no such message.
    sdk::Result<Message> retry(const std::string& id, int64_t now_us);
    /// Sets the rendered subject and body of message `id` (a retry after a template fix).
    sdk::Status set_content(const std::string& id, const std::string& subject,
                            const std::string& body);
    /// A webhook's deliveries since `since_us`, newest first.
    sdk::Result<std::vector<Message>> deliveries_of(const std::string& hook_id, int64_t since_us,
                                                    std::optional<int64_t> before_seq,
                                                    int64_t limit);

    /// Takes up to `limit` due messages of `channel` (queued or failed, next attempt passed),
    /// counting the attempt and pushing their next attempt `lease_us` ahead so that no other
    /// worker takes them meanwhile; commits before returning (no lock is held while sending).
    sdk::Result<std::vector<Message>> claim(const std::string& channel, int64_t now_us,
                                            int64_t lease_us, int64_t limit);
    /// Records an attempt: sent; or failed with the next attempt at `next_attempt_us`; or dead
    /// when `next_attempt_us` is nullopt.
    sdk::Status record(const Message& message, const Attempt& attempt, int64_t now_us,
                       std::optional<int64_t> next_attempt_us);

    /// Deletes messages created before `before_us` (the delivery log's retention); how many.
    sdk::Result<int64_t> forget_before(int64_t before_us);

    /// Whether the user takes non-essential e-mail (default yes) and their language (if set).
    struct Preferences {
        bool email_non_essential = true;
        std::optional<std::string> language;
    };
    sdk::Result<Preferences> preferences(sdk::Tx* tx, const std::string& user_id);
    sdk::Status set_preferences(const std::string& user_id, const Preferences& preferences,
                                int64_t now_us);

  private:
    sdk::Database& db_;
};

}  // namespace admit::notification
